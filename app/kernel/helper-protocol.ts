// The wire between Isolens and the helper container: the POSIX sh script it runs, how requests are written, and a
// bounded, strict parser of its answers. File content is attacker-influenced (a container writes what it likes into
// its own comm or mounts), so every byte read travels hex-encoded and nothing in it can end or forge a frame.
import type { KernelRequest } from './source.js';

/** The most bytes read from one file: od -N stops there, and the parser refuses an answer that claims more. */
export const HELPER_FILE_LIMIT_BYTES = 1024 * 1024;

/** The longest line the parser accepts: a hex line of od is 49 bytes, a link line "L " + a target of at most PATH_MAX. */
const LINE_LIMIT_BYTES = 4200;

/** The most files one `g` reads (one head process); longer runs of text reads are split. */
export const HELPER_MANY_LIMIT = 256;

/** Where the helper writes the separator of a many-file read: a small tmpfs of its own (helper.ts), the script's $1. */
export const HELPER_SCRATCH_DIR = '/run/isolens';

/**
 * The helper's program. Its first line is discarded (HELPER_PREAMBLE_END). Requests, one a line on stdin:
 *   b ID      start of batch ID        → "B ID"
 *   t PATH    a file's bytes           → "T", hex lines (od), "E CODE"
 *   p TOK PATH  name PATH by the short token TOK for later g and j lines (no answer)
 *   g NONCE TOK…  read every named file in one head process → "R N", then raw: each file's bytes followed by
 *             "\\n" NONCE "s", then "\\n" NONCE "e" K "\\n", K the number of error lines head wrote; "U N" when the
 *             separator cannot be written
 *   j NONCE TOK…  `ls -ld` of the named namespace links, framed as a g of one file: "R 1", the listing, "\\n" NONCE
 *             "s", "\\n" NONCE "e0"; the listing has no attacker text (ns link targets are the kernel's "type:[inode]",
 *             owners come from the helper image), and links it does not show are asked again with `l`
 *   d PATH    a directory's names      → "D", hex lines of `ls -1A`, "E CODE"
 *   l PATH    a symbolic link's target → "L TARGET" or "E CODE"
 *   e PATH    does it exist            → "X 1" or "X 0"
 * CODE is "-" for success or an errno name. The script ends when stdin closes (Isolens went away), so the container
 * stops and the engine removes it (AutoRemove). Only sh builtins, od, head, ls and readlink are used: any busybox or
 * coreutils image serves. Messages are matched in the C locale's words, which glibc, musl and uclibc share: the script
 * sets LC_ALL=C, because an image's own locale settings (LANGUAGE=de with LANG=C.UTF-8 is enough for GNU head) would
 * translate them.
 *
 * Why `g` may send file bytes raw: a fork and exec of od per file was most of the helper's time (about 1.2 ms a file
 * here, 110 files for a live sample of 10 containers), so `g` reads many files with one `head -q -c LIMIT` whose
 * arguments alternate the files with a separator file. Why tokens: sh's read takes stdin a byte at a time (1–3 µs a
 * byte here), so a path is sent once (p) and named by a token of a few bytes in every later read of it. The separator is a 128-bit nonce Isolens draws for each `g` and
 * sends only over the helper's stdin; the script writes it to its own tmpfs, which no container can read. File content
 * cannot end or forge a segment without knowing the nonce, and the parser still bounds every segment (head -c) and the
 * number of them. A file that gave no bytes (missing, denied, or empty) is asked again with `t`, which names its errno;
 * so are all of a `g`'s files when head reported more errors than it left empty segments (a read failing half-way).
 */
/**
 * What Isolens writes first, and the script reads and discards as its first line: engines may put bytes of their own
 * on the helper's stdin before the client's. Podman's compatible API passes the attach request's body there (docker-modem
 * sends the options as JSON: {"stream":true,"stdin":true,…}, with no newline), which joined the first request and broke
 * the protocol on Podman 4.3; Docker passes nothing, and the first line is empty.
 */
export const HELPER_PREAMBLE_END = '\n';

export const HELPER_SCRIPT = `exec 3>&1
LC_ALL=C; export LC_ALL
NL='
'
SEP=\${1:-${HELPER_SCRATCH_DIR}}/separator
set -f
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
IFS= read -r line || exit 0
while IFS= read -r line; do
  op=\${line%% *}
  p=\${line#* }
  case $op in
    b) printf 'B %s\\n' "$p" ;;
    t) printf 'T\\n'; err=$(od -An -v -tx1 -N ${HELPER_FILE_LIMIT_BYTES} "$p" 2>&1 >&3); code "$err"; printf 'E %s\\n' "$c" ;;
    p) t=\${p%% *}
       case $t in ''|*[!0-9a-z]*) ;; *) eval "P_$t=\\\${p#* }" ;; esac ;;
    g) nonce=\${p%% *}; list=; n=0
       for t in \${p#"$nonce"}; do
         case $t in *[!0-9a-z]*) t=_ ;; esac
         eval "f=\\\${P_$t-}"
         list=$list$f$NL$SEP$NL; n=$((n+1))
       done
       if printf '\\n%ss' "$nonce" 2>/dev/null >"$SEP"; then
         printf 'R %s\\n' "$n"
         err=$(IFS=$NL; head -q -c ${HELPER_FILE_LIMIT_BYTES} $list 2>&1 >&3)
         k=0; rest=$err
         while [ -n "$rest" ]; do
           k=$((k+1))
           case $rest in *"$NL"*) rest=\${rest#*"$NL"} ;; *) rest= ;; esac
         done
         printf '\\n%se%s\\n' "$nonce" "$k"
       else printf 'U %s\\n' "$n"
       fi ;;
    j) nonce=\${p%% *}; links=
       for t in \${p#"$nonce"}; do
         case $t in *[!0-9a-z]*) t=_ ;; esac
         eval "f=\\\${P_$t-}"
         links=$links$f$NL
       done
       printf 'R 1\\n'
       (IFS=$NL; exec ls -ld $links) 2>/dev/null
       printf '\\n%ss\\n%se0\\n' "$nonce" "$nonce" ;;
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
  | { kind: 'error'; code: string }
  /** A `g`'s files in order: each one's bytes, or null where it must be asked again with `t` (no bytes, or doubt). */
  | { kind: 'many'; segments: Array<Buffer | null>; unavailable?: true };

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

/**
 * The helper's names for paths (its P_TOK variables): a path is sent once with `p` and named by its token afterwards.
 * Bounded: when full, the path used longest ago gives its token to the new one (a later `p` overwrites the variable).
 */
export class HelperPathTable {
  /** Path → token, in order of last use. */
  private readonly byPath = new Map<string, string>();
  private next = 0;

  constructor(private readonly capacity = 16_384) {
    // One read's paths must never evict each other.
    if (capacity <= HELPER_MANY_LIMIT) throw new RangeError(`a path table holds more than ${HELPER_MANY_LIMIT} paths`);
  }

  get size(): number {
    return this.byPath.size;
  }

  /** The p lines for the paths not named yet, and every path's token in order; null when a path cannot be sent. */
  name(paths: readonly string[]): { definitions: string; tokens: string[] } | null {
    if (!paths.every((path) => encodeRequest({ op: 'text', path }) !== null)) return null;
    let definitions = '';
    const tokens = paths.map((path) => {
      let token = this.byPath.get(path);
      if (token !== undefined) {
        this.byPath.delete(path);
      } else {
        if (this.byPath.size < this.capacity) token = (this.next++).toString(36);
        else {
          const [oldest, reused] = this.byPath.entries().next().value as [string, string];
          this.byPath.delete(oldest);
          token = reused;
        }
        definitions += `p ${token} ${path}\n`;
      }
      this.byPath.set(path, token);
      return token;
    });
    return { definitions, tokens };
  }
}

/** The p lines and the `g` of a many-file read; null when a path cannot be sent (encodeRequest) or there are too many. */
export function encodeMany(table: HelperPathTable, paths: readonly string[], nonce: string): string | null {
  if (paths.length === 0 || paths.length > HELPER_MANY_LIMIT || !NONCE.test(nonce)) return null;
  const named = table.name(paths);
  return named === null ? null : `${named.definitions}g ${nonce} ${named.tokens.join(' ')}\n`;
}

/** A /proc/PID/ns link, the only links many are read of at once (their targets are the kernel's "type:[inode]"). */
export const NAMESPACE_LINK = /^\/proc\/(?:\d{1,10}|self)\/ns\/[a-z_]{1,32}$/;
const NAMESPACE_TARGET = /^[a-z_]{1,32}:\[\d{1,20}\]$/;

/** The p lines and the j of reading many namespace links with one ls; null when a path is not a namespace link. */
export function encodeLinks(table: HelperPathTable, paths: readonly string[], nonce: string): string | null {
  if (paths.length === 0 || paths.length > HELPER_MANY_LIMIT || !NONCE.test(nonce) || !paths.every((path) => NAMESPACE_LINK.test(path))) return null;
  const named = table.name(paths)!;
  return `${named.definitions}j ${nonce} ${named.tokens.join(' ')}\n`;
}

/**
 * The targets an `ls -ld` listing shows for the asked links (busybox and coreutils both end a link's line with
 * "PATH -> TARGET"); a link missing, unreadable (no target shown), listed twice or with a target that is not a
 * namespace's is left out, to be asked again one by one.
 */
export function linksFromListing(listing: string, paths: readonly string[]): Map<string, string> {
  const asked = new Set(paths);
  const seen = new Map<string, string | null>();
  for (const line of listing.split('\n')) {
    const arrow = line.lastIndexOf(' -> ');
    if (arrow < 0) continue;
    const target = line.slice(arrow + 4);
    const space = line.lastIndexOf(' ', arrow - 1);
    const path = line.slice(space + 1, arrow);
    if (!asked.has(path)) continue;
    seen.set(path, seen.has(path) || !NAMESPACE_TARGET.test(target) ? null : target);
  }
  const out = new Map<string, string>();
  for (const [path, target] of seen) if (target !== null) out.set(path, target);
  return out;
}

/** A fresh nonce for one `g`: 128 random bits as 32 hex digits. */
export function manyNonce(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function encodeBatchStart(id: number): string {
  return `b ${id}\n`;
}

/** The helper broke the protocol (or is not the helper at all): the connection cannot be trusted any more. */
export class HelperProtocolError extends Error {}

const EMPTY = Buffer.alloc(0);

const HEX_LINE = /^(?: [0-9a-f]{2})*$/;
const ERRNO_NAME = /^(?:-|E[A-Z0-9]{1,15})$/;
const NONCE = /^[0-9a-f]{32}$/;
const SEPARATOR_MARK = 0x73; // "s": the nonce ends one file's bytes
const END_MARK = 0x65; // "e": the nonce ends the g, the count of head's error lines follows

/** A many-file read being received: raw bytes until the nonce's end mark. */
interface RawState {
  nonce: Buffer;
  expected: number;
  segments: Array<Buffer | null>;
  current: Buffer[];
  currentBytes: number;
  /** Bytes that may begin a nonce, kept until the next chunk says. */
  carry: Buffer;
}

/**
 * Splits the helper's stdout into answers, in order. Strict: a line it does not expect, a line longer than the limit,
 * or an answer larger than the file limit is a HelperProtocolError; nothing the helper sends can make it grow unbounded.
 */
export class HelperAnswerParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private body: Buffer[] | null = null;
  private bodyBytes = 0;
  private raw: RawState | null = null;
  /** A many-file read whose end mark came: its error count is the next line. */
  private trailer: RawState | null = null;
  private nonces: Buffer[] = [];

  constructor(
    private readonly onBatchStart: (id: number) => void,
    private readonly onAnswer: (answer: HelperAnswer) => void,
  ) {}

  /** Feed bytes as they arrive; throws HelperProtocolError on the first violation. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      if (this.raw !== null) {
        start = this.rawBytes(this.raw, chunk, start);
        continue;
      }
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > LINE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent a line of ${line.length} bytes`);
      start = newline + 1;
      this.line(line);
    }
    if (this.raw === null && start < chunk.length) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > LINE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent a line longer than ${LINE_LIMIT_BYTES} bytes`);
      this.pending.push(Buffer.from(chunk.subarray(start)));
    }
  }

  /** The next `g` written to the helper used this nonce: its "R" or "U" answer is read with it. In order. */
  expectMany(nonce: string): void {
    if (!NONCE.test(nonce)) throw new Error('a many-file nonce is 32 hex digits');
    // A newline first makes the separator border-free (no proper prefix of it is also a suffix): a file ending in part
    // of it cannot form it together with the real one that follows, so it occurs only where the script wrote it.
    this.nonces.push(Buffer.from(`\n${nonce}`, 'latin1'));
  }

  /** Consume raw bytes of a many-file read from chunk[start..]; the index where line parsing resumes (or the end). */
  private rawBytes(raw: RawState, chunk: Buffer, start: number): number {
    const carried = raw.carry.length;
    const data = carried === 0 ? chunk.subarray(start) : Buffer.concat([raw.carry, chunk.subarray(start)]);
    raw.carry = EMPTY;
    let position = 0;
    for (;;) {
      const at = data.indexOf(raw.nonce, position);
      if (at < 0 || at + raw.nonce.length >= data.length) {
        // No whole nonce and mark here: keep what may be the start of one for the next chunk.
        const keep = at < 0 ? Math.min(data.length - position, raw.nonce.length) : data.length - at;
        this.segmentBytes(raw, data.subarray(position, data.length - keep));
        raw.carry = Buffer.from(data.subarray(data.length - keep));
        return chunk.length;
      }
      this.segmentBytes(raw, data.subarray(position, at));
      const mark = data[at + raw.nonce.length];
      position = at + raw.nonce.length + 1;
      if (mark === SEPARATOR_MARK) {
        const bytes = Buffer.concat(raw.current);
        raw.segments.push(bytes.length === 0 ? null : bytes);
        raw.current = [];
        raw.currentBytes = 0;
        if (raw.segments.length > raw.expected) throw new HelperProtocolError(`the helper sent more than the ${raw.expected} files asked for`);
        continue;
      }
      if (mark !== END_MARK) throw new HelperProtocolError('the helper sent an unknown mark after a separator');
      if (raw.currentBytes > 0) throw new HelperProtocolError('the helper sent bytes after the last separator');
      this.raw = null;
      this.trailer = raw;
      // The error count follows as the rest of a line; carried bytes were all before the nonce's end, so this is in chunk.
      return start + position - carried;
    }
  }

  private segmentBytes(raw: RawState, bytes: Buffer): void {
    if (bytes.length === 0) return;
    raw.currentBytes += bytes.length;
    if (raw.currentBytes > HELPER_FILE_LIMIT_BYTES) throw new HelperProtocolError(`the helper sent more than ${HELPER_FILE_LIMIT_BYTES} bytes for one file`);
    raw.current.push(bytes);
  }

  /** After a many-file read's end mark: the number of error lines head wrote, then its answer. */
  private finishMany(raw: RawState, text: string): void {
    if (!/^\d{1,6}$/.test(text)) throw new HelperProtocolError('the helper sent a bad error count after a many-file read');
    const errors = Number(text);
    const segments = raw.segments;
    while (segments.length < raw.expected) segments.push(null); // head stopped early (missing, killed): ask again
    const empty = segments.filter((segment) => segment === null).length;
    // More errors than empty files: some file failed after giving bytes, and which one is unknown. Ask them all again.
    this.onAnswer({ kind: 'many', segments: errors > empty ? segments.map(() => null) : segments });
  }

  private line(line: Buffer): void {
    const text = line.toString('latin1');
    if (this.trailer !== null) {
      const raw = this.trailer;
      this.trailer = null;
      return this.finishMany(raw, text);
    }
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
    const many = /^([RU]) (\d{1,6})$/.exec(text);
    if (many) {
      const nonce = this.nonces.shift();
      const expected = Number(many[2]);
      if (nonce === undefined || expected === 0 || expected > HELPER_MANY_LIMIT) throw new HelperProtocolError(`the helper answered a many-file read that was not asked for`);
      if (many[1] === 'U') return this.onAnswer({ kind: 'many', segments: Array.from({ length: expected }, () => null), unavailable: true });
      this.raw = { nonce, expected, segments: [], current: [], currentBytes: 0, carry: EMPTY };
      return;
    }
    const batch = /^B (\d{1,15})$/.exec(text);
    if (batch) return this.onBatchStart(Number(batch[1]));
    throw new HelperProtocolError(`the helper sent ${JSON.stringify(text.slice(0, 40))}, which is not part of the protocol`);
  }
}
