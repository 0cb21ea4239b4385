// The wire between Isolens and the helper container: the POSIX sh script it runs, how requests are written, and a
// bounded, strict parser of its answers. File content is attacker-influenced (a container writes what it likes into
// its own comm or mounts), so every byte read travels hex-encoded and nothing in it can end or forge a frame.
import type { KernelRequest } from './source.js';

/** The most bytes read from one file: od -N stops there, and the parser refuses an answer that claims more. */
export const HELPER_FILE_LIMIT_BYTES = 1024 * 1024;

/** The longest line the parser accepts: a hex line of od is 49 bytes, a link line "L " + a target of at most PATH_MAX. */
const LINE_LIMIT_BYTES = 4200;

/**
 * The helper's program. Requests, one a line on stdin:
 *   b ID      start of batch ID        → "B ID"
 *   t PATH    a file's bytes           → "T", hex lines (od), "E CODE"
 *   d PATH    a directory's names      → "D", hex lines of `ls -1A`, "E CODE"
 *   l PATH    a symbolic link's target → "L TARGET" or "E CODE"
 *   e PATH    does it exist            → "X 1" or "X 0"
 * CODE is "-" for success or an errno name. The script ends when stdin closes (Isolens went away), so the container
 * stops and the engine removes it (AutoRemove). Only sh builtins, od, ls and readlink are used: any busybox or
 * coreutils image serves. Messages are matched in the C locale's words, which glibc, musl and uclibc share.
 */
export const HELPER_SCRIPT = `exec 3>&1
NL='
'
code() {
  case $1 in
    '') c=- ;;
    *'No such file'*) c=ENOENT ;;
    *'Not a directory'*) c=ENOTDIR ;;
    *'Permission denied'*) c=EACCES ;;
    *'Operation not permitted'*) c=EPERM ;;
    *'No such process'*) c=ESRCH ;;
    *'No such device'*) c=ENODEV ;;
    *'Invalid argument'*) c=EINVAL ;;
    *'not supported'*) c=EOPNOTSUPP ;;
    *) c=EIO ;;
  esac
}
while IFS= read -r line; do
  op=\${line%% *}
  p=\${line#* }
  case $op in
    b) printf 'B %s\\n' "$p" ;;
    t) printf 'T\\n'; err=$(od -An -v -tx1 -N ${HELPER_FILE_LIMIT_BYTES} "$p" 2>&1 >&3); code "$err"; printf 'E %s\\n' "$c" ;;
    d) printf 'D\\n'; err=$( { ls -1A "$p" | od -An -v -tx1; } 2>&1 >&3); code "$err"; printf 'E %s\\n' "$c" ;;
    l) if t=$(readlink "$p"); then
         case $t in *"$NL"*) printf 'E EINVAL\\n' ;; *) printf 'L %s\\n' "$t" ;; esac
       elif [ -L "$p" ]; then printf 'E EACCES\\n'
       else printf 'E ENOENT\\n'
       fi ;;
    e) if [ -e "$p" ]; then printf 'X 1\\n'; else printf 'X 0\\n'; fi ;;
    *) printf 'E EINVAL\\n' ;;
  esac
done
`;

/** One answer as it came over the wire, before it becomes a ReadResult. */
export type HelperAnswer =
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'link'; target: string }
  | { kind: 'exists'; value: boolean }
  | { kind: 'error'; code: string };

const OP_LETTER: Record<KernelRequest['op'], string> = { text: 't', list: 'd', link: 'l', exists: 'e' };

/**
 * A request line, or null when the path cannot be sent safely: it must be absolute and printable ASCII without a
 * newline or a leading/trailing space (sh's read would change those). Kernel paths Isolens builds always are.
 */
export function encodeRequest(request: KernelRequest): string | null {
  const path = request.path;
  if (!path.startsWith('/') || path.length > 4096 || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(path)) return null;
  return `${OP_LETTER[request.op]} ${path}\n`;
}

export function encodeBatchStart(id: number): string {
  return `b ${id}\n`;
}

/** The helper broke the protocol (or is not the helper at all): the connection cannot be trusted any more. */
export class HelperProtocolError extends Error {}

const HEX_LINE = /^(?: [0-9a-f]{2})*$/;
const ERRNO_NAME = /^(?:-|E[A-Z0-9]{1,15})$/;

/**
 * Splits the helper's stdout into answers, in order. Strict: a line it does not expect, a line longer than the limit,
 * or an answer larger than the file limit is a HelperProtocolError; nothing the helper sends can make it grow unbounded.
 */
export class HelperAnswerParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private body: Buffer[] | null = null;
  private bodyBytes = 0;

  constructor(
    private readonly onBatchStart: (id: number) => void,
    private readonly onAnswer: (answer: HelperAnswer) => void,
  ) {}

  /** Feed bytes as they arrive; throws HelperProtocolError on the first violation. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > LINE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent a line of ${line.length} bytes`);
      this.line(line);
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > LINE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent a line longer than ${LINE_LIMIT_BYTES} bytes`);
      this.pending.push(Buffer.from(chunk.subarray(start)));
    }
  }

  private line(line: Buffer): void {
    const text = line.toString('latin1');
    if (this.body !== null) {
      if (text.startsWith('E ')) {
        const code = text.slice(2);
        if (!ERRNO_NAME.test(code)) throw new HelperProtocolError(`the helper sent an unknown status ${JSON.stringify(code.slice(0, 40))}`);
        const bytes = Buffer.concat(this.body);
        this.body = null;
        this.onAnswer(code === '-' ? { kind: 'bytes', bytes } : { kind: 'error', code });
        return;
      }
      if (!HEX_LINE.test(text)) throw new HelperProtocolError('the helper sent a line that is not od output inside an answer');
      const bytes = Buffer.from(text.replaceAll(' ', ''), 'hex');
      this.bodyBytes += bytes.length;
      if (this.bodyBytes > HELPER_FILE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent more than ${HELPER_FILE_LIMIT_BYTES} bytes for one file`);
      this.body.push(bytes);
      return;
    }
    if (text === 'T' || text === 'D') {
      this.body = [];
      this.bodyBytes = 0;
      return;
    }
    if (text.startsWith('L ')) return this.onAnswer({ kind: 'link', target: line.subarray(2).toString('utf8') });
    if (text === 'X 1' || text === 'X 0') return this.onAnswer({ kind: 'exists', value: text === 'X 1' });
    if (text.startsWith('E ') && ERRNO_NAME.test(text.slice(2)) && text !== 'E -') return this.onAnswer({ kind: 'error', code: text.slice(2) });
    const batch = /^B (\d{1,15})$/.exec(text);
    if (batch) return this.onBatchStart(Number(batch[1]));
    throw new HelperProtocolError(`the helper sent ${JSON.stringify(text.slice(0, 40))}, which is not part of the protocol`);
  }
}
