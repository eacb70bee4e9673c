// Node paths: absolute, '/'-separated, no empty, '.' or '..' segments, a small ASCII
// alphabet, bounded length. The first segment is the NAMESPACE, the unit of sharding: a
// namespace lives in one group, so transactions and subtree watches stay inside a group.
//
// Allowed characters: A-Z a-z 0-9 and - _ . : @ + = , ~ %
// (enough for host:port member names such as "10.0.0.5:5678"; '%' lets a future etcd-
// compatible namespace percent-encode arbitrary key bytes).

import { assert } from '../util/assert';
import type { KvLimits } from './limits';

export const ROOT_PATH = '/';
/** Sequential nodes get a 10-digit zero-padded counter: "/jobs/job-" -> "/jobs/job-0000000042". */
export const SEQUENTIAL_DIGITS = 10;
export const SEQUENTIAL_COUNTER_MAX = 9_999_999_999;

export type PathCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

export type PathLimits = Pick<KvLimits, 'pathBytesMax' | 'segmentBytesMax'>;

const SLASH = 0x2f;
const DOT = 0x2e;
const ALLOWED_PUNCTUATION = new Set(['-', '_', '.', ':', '@', '+', '=', ',', '~', '%'].map((c) => c.charCodeAt(0)));

function isAllowedChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    ALLOWED_PUNCTUATION.has(code)
  );
}

function describeChar(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  return code >= 0x21 && code <= 0x7e ? `'${String.fromCharCode(code)}' (${hex})` : hex;
}

/** Validates a path; the message says what is wrong and where. The root "/" is valid. */
export function checkPath(path: string, limits: PathLimits): PathCheck {
  if (path.length === 0) return { ok: false, message: 'path is empty' };
  if (path.charCodeAt(0) !== SLASH) return { ok: false, message: `path "${clip(path)}" must start with "/"` };
  if (path.length > limits.pathBytesMax) {
    return { ok: false, message: `path is ${path.length} bytes, longer than pathBytesMax ${limits.pathBytesMax}` };
  }
  if (path === ROOT_PATH) return { ok: true };
  if (path.charCodeAt(path.length - 1) === SLASH) {
    return { ok: false, message: `path "${clip(path)}" must not end with "/"` };
  }
  let segmentStart = 1;
  for (let index = 1; index <= path.length; index += 1) {
    const code = index < path.length ? path.charCodeAt(index) : SLASH;
    if (code !== SLASH) {
      if (!isAllowedChar(code)) {
        return { ok: false, message: `path "${clip(path)}" has character ${describeChar(code)} at offset ${index}; allowed are A-Z a-z 0-9 - _ . : @ + = , ~ %` };
      }
      continue;
    }
    const segmentCheck = checkSegment(path, segmentStart, index, limits);
    if (!segmentCheck.ok) return segmentCheck;
    segmentStart = index + 1;
  }
  return { ok: true };
}

function checkSegment(path: string, start: number, end: number, limits: PathLimits): PathCheck {
  const length = end - start;
  if (length === 0) return { ok: false, message: `path "${clip(path)}" has an empty segment at offset ${start}` };
  if (length > limits.segmentBytesMax) {
    return { ok: false, message: `path "${clip(path)}" has a ${length}-byte segment at offset ${start}, longer than segmentBytesMax ${limits.segmentBytesMax}` };
  }
  const isDots = path.charCodeAt(start) === DOT && (length === 1 || (length === 2 && path.charCodeAt(start + 1) === DOT));
  if (isDots) return { ok: false, message: `path "${clip(path)}" has a "${path.slice(start, end)}" segment at offset ${start}` };
  return { ok: true };
}

/** Validates the prefix of a sequential create: the path it will produce must be valid. */
export function checkSequentialPrefix(prefix: string, limits: PathLimits): PathCheck {
  const check = checkPath(sequentialPath(prefix, 0), limits);
  if (check.ok) return check;
  return { ok: false, message: `sequential prefix "${clip(prefix)}" + ${SEQUENTIAL_DIGITS} digits is invalid: ${check.message}` };
}

export function sequentialPath(prefix: string, counter: number): string {
  assert(Number.isSafeInteger(counter) && counter >= 0 && counter <= SEQUENTIAL_COUNTER_MAX, `bad counter ${counter}`);
  return prefix + String(counter).padStart(SEQUENTIAL_DIGITS, '0');
}

export function isRoot(path: string): boolean {
  return path === ROOT_PATH;
}

/** "/a/b" -> "/a", "/a" -> "/". The root has no parent. */
export function parentOf(path: string): string {
  assert(path.length > 1 && path.charCodeAt(0) === SLASH, `parentOf("${path}"): not a non-root path`);
  const slashAt = path.lastIndexOf('/');
  return slashAt === 0 ? ROOT_PATH : path.slice(0, slashAt);
}

/** "/a/b" -> "b". The root has no name. */
export function basenameOf(path: string): string {
  assert(path.length > 1 && path.charCodeAt(0) === SLASH, `basenameOf("${path}"): not a non-root path`);
  return path.slice(path.lastIndexOf('/') + 1);
}

export function childPath(parent: string, name: string): string {
  assert(name.length > 0 && !name.includes('/'), `bad child name "${name}"`);
  return parent === ROOT_PATH ? `/${name}` : `${parent}/${name}`;
}

/** The first segment: "/services/api/1" -> "services". The root belongs to no namespace: "". */
export function namespaceOf(path: string): string {
  assert(path.charCodeAt(0) === SLASH, `namespaceOf("${path}"): not absolute`);
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

/** True when `path` is `ancestor` itself or lies below it. */
export function isSelfOrDescendant(path: string, ancestor: string): boolean {
  if (ancestor === ROOT_PATH) return true;
  return path === ancestor || (path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === SLASH);
}

/** The path itself, then each ancestor up to and including the root. */
export function selfAndAncestors(path: string): string[] {
  const result = [path];
  let current = path;
  // Bounded: each step removes at least one segment of a finite path.
  while (current !== ROOT_PATH) {
    current = parentOf(current);
    result.push(current);
  }
  return result;
}

/** Number of segments: "/" -> 0, "/a/b" -> 2. */
export function depthOf(path: string): number {
  if (path === ROOT_PATH) return 0;
  let depth = 0;
  for (let index = 0; index < path.length; index += 1) {
    if (path.charCodeAt(index) === SLASH) depth += 1;
  }
  return depth;
}

const CLIP_CHARS_MAX = 80;

/** Long paths are clipped in messages so that an error never echoes a megabyte back. */
function clip(path: string): string {
  return path.length <= CLIP_CHARS_MAX ? path : `${path.slice(0, CLIP_CHARS_MAX)}...`;
}
