// The seccomp profile document (Docker's JSON format, which Podman shares) as a zod schema, and parsing a custom one:
// loaded only for a container whose engine reports a custom profile's rules, so a scan of others never loads zod.
import * as z from 'zod';

/** One argument condition: arg[index] <op> value (MASKED_EQ: arg & value == valueTwo). */
export const SeccompArg = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number(),
  valueTwo: z.number().optional(),
  op: z.enum(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']),
});

const Filter = z.object({
  caps: z.array(z.string()).optional(),
  arches: z.array(z.string()).optional(),
  minKernel: z.string().optional(),
}).partial();

export const SeccompSyscall = z.object({
  names: z.array(z.string()).optional(),
  /** The older single-name form. */
  name: z.string().optional(),
  action: z.string(),
  args: z.array(SeccompArg).nullable().optional(),
  includes: Filter.nullable().optional(),
  excludes: Filter.nullable().optional(),
});

/** A seccomp profile as `docker run --security-opt seccomp=FILE` takes it; validated because a custom one is the user's text. */
export const SeccompProfileDocument = z.object({
  defaultAction: z.string(),
  syscalls: z.array(SeccompSyscall).nullable().optional(),
});
export type SeccompProfileDocument = z.infer<typeof SeccompProfileDocument>;

export type SeccompSyscallRule = z.infer<typeof SeccompSyscall>;
export type SeccompArgCondition = z.infer<typeof SeccompArg>;

/** A profile document from its JSON text; null when the text is not one (a path the engine kept instead of the content, say). */
export function parseSeccompProfile(text: string): SeccompProfileDocument | null {
  try {
    const parsed = SeccompProfileDocument.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
