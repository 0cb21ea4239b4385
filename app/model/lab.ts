// The hardening lab's inputs, validated at every boundary (UI, HTTP, CLI): pure zod, shared by app/api.ts and app/lab.
import * as z from 'zod';
import { allCapabilityNames, normalizeCapabilityName } from './capabilities.js';

/** Writable paths a read-only lab container gets when none are chosen. */
export const DEFAULT_LAB_TMPFS: readonly string[] = ['/tmp'];

const knownCapabilities = new Set(allCapabilityNames());

/** An image reference as the docker CLI accepts it: [registry/]name[:tag][@digest], no spaces or shell text. */
const ImageReference = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^([A-Za-z0-9][A-Za-z0-9.-]*(:\d{1,5})?\/)?[a-z0-9][a-z0-9._\/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    'an image reference such as busybox:latest',
  )
  .or(z.string().regex(/^sha256:[a-f0-9]{64}$/, 'an image id'));

const CapabilityName = z
  .string()
  .transform((name) => normalizeCapabilityName(name))
  .refine((name) => knownCapabilities.has(name), { message: 'a Linux capability name such as NET_BIND_SERVICE' });

/** A path inside the container for a tmpfs: absolute, no ':' or ',' (they would be read as mount options). */
const ContainerPath = z.string().regex(/^\/[^:,\0\n]*$/, 'an absolute path without ":" or ","').max(4096);

/** The lab's options, validated at the boundary: they arrive from the UI, HTTP and the CLI. */
export const LabOptions = z.object({
  image: ImageReference,
  dropAllCapabilities: z.boolean().default(false),
  addCapabilities: z.array(CapabilityName).max(64).default([]),
  readOnly: z.boolean().default(false),
  /** Writable tmpfs paths for a read-only root filesystem (ignored without readOnly). */
  tmpfs: z.array(ContainerPath).max(16).default([...DEFAULT_LAB_TMPFS]),
  noNewPrivileges: z.boolean().default(false),
  seccomp: z
    .union([z.literal('default'), z.literal('unconfined'), z.object({ profilePath: z.string().min(1).max(4096) }).strict()])
    .default('default'),
  /** uid[:gid] or a user name the image knows; null = the image's user. */
  user: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/, 'uid[:gid] or a user name')
    .nullable()
    .default(null),
  /** The engine refuses less than 6 MiB. */
  memoryBytes: z.number().int().min(6 * 1024 * 1024).max(64 * 1024 ** 3).nullable().default(null),
  cpus: z.number().positive().max(256).nullable().default(null),
  /** Fewer than 8 processes would stop the probes themselves from starting. */
  pidsLimit: z.number().int().min(8).max(1_000_000).nullable().default(null),
  networkNone: z.boolean().default(false),
}).strict();
export type LabOptions = z.infer<typeof LabOptions>;
export type LabOptionsInput = z.input<typeof LabOptions>;


/** The fixed probe catalogue's ids (app/lab/probes.ts defines what each does). */
export const PROBE_IDS = [
  'mount-tmpfs',
  'chmod-file',
  'chown-file',
  'raw-socket',
  'write-root-filesystem',
  'create-device-node',
  'unshare-user-namespace',
  'change-hostname',
  'read-host-file',
  'fork-past-pids-limit',
  'allocate-past-memory-limit',
  'remove-kernel-module',
  'see-host-processes',
  'signal-host-init',
  'write-host-path',
  'reach-engine-socket',
] as const;
export type ProbeId = (typeof PROBE_IDS)[number];
export const ProbeIdSchema = z.enum(PROBE_IDS);
