// The CLI's pure parts: durations, exit-code mapping, the txn document, kill timings, output.

import * as grpc from '@grpc/grpc-js';
import { CommanderError, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { CorralError, LockWaitTimeoutError, NotFoundError } from '../../client-sdk';
import { killTimings } from '../../cli/commands/lock-run';
import { parseTxnDocument } from '../../cli/commands/txn-command';
import { parseCount, parseDurationMs, parsePositiveDurationMs } from '../../cli/durations';
import { EXIT_FAILED, EXIT_LOCK_TIMEOUT, EXIT_OK, EXIT_USAGE, reportOf, UsageError } from '../../cli/exit-codes';
import { inlineText, table, valueFields } from '../../cli/output';

test('durations: units, bare seconds, bounds', () => {
  expect(parseDurationMs('500ms')).toBe(500);
  expect(parseDurationMs('10s')).toBe(10_000);
  expect(parseDurationMs('1.5s')).toBe(1_500);
  expect(parseDurationMs('2m')).toBe(120_000);
  expect(parseDurationMs('1h')).toBe(3_600_000);
  expect(parseDurationMs('7')).toBe(7_000);
  expect(parseDurationMs('0')).toBe(0);
  for (const bad of ['', 'soon', '5 s', '-1s', '1d', '25h']) expect(() => parseDurationMs(bad)).toThrow(CommanderArgumentError);
  expect(() => parsePositiveDurationMs('0s')).toThrow(/longer than 0/);
  expect(parseCount('42')).toBe(42);
  expect(() => parseCount('4.2')).toThrow(CommanderArgumentError);
});

test('exit codes: usage 2, lock timeout 3, other failures 1, help 0; messages on one line', () => {
  expect(reportOf(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"))).toMatchObject({ exitCode: EXIT_USAGE, message: "unknown command 'x'" });
  expect(reportOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(EXIT_OK);
  expect(reportOf(new UsageError('bad')).exitCode).toBe(EXIT_USAGE);
  expect(reportOf(new CorralError('invalid-argument', 'bad path')).exitCode).toBe(EXIT_USAGE);
  expect(reportOf(new LockWaitTimeoutError('busy')).exitCode).toBe(EXIT_LOCK_TIMEOUT);
  expect(reportOf(new NotFoundError('node /a does not exist')).exitCode).toBe(EXIT_FAILED);
  const grpcError = Object.assign(new Error('x'), { code: grpc.status.UNAVAILABLE, details: 'line one\n  line two', metadata: new grpc.Metadata() });
  expect(reportOf(grpcError)).toMatchObject({ exitCode: EXIT_FAILED, message: 'line one line two' });
  expect(reportOf(new TypeError('oops'))).toMatchObject({ exitCode: EXIT_FAILED, message: 'internal error: oops' });
});

test('txn documents: arrays of compare/success/failure, nothing else', () => {
  expect(parseTxnDocument('{"success":[{"op":"put","path":"/a","value":"x"}]}').success).toHaveLength(1);
  expect(() => parseTxnDocument('[1]')).toThrow(/JSON object/);
  expect(() => parseTxnDocument('{"success":{}}')).toThrow(/must be an array/);
  expect(() => parseTxnDocument('{"then":[]}')).toThrow(/unknown transaction field/);
  expect(() => parseTxnDocument('{')).toThrow(/not JSON/);
});

test('lock run kill timings: SIGKILL lands before the lease ends, with a SIGTERM grace before it', () => {
  for (const ttlMs of [2_000, 4_000, 15_000, 60_000, 600_000]) {
    const { termGraceMs, marginMs } = killTimings(ttlMs);
    expect(marginMs).toBeGreaterThan(0);
    expect(termGraceMs).toBeGreaterThan(0);
    expect(termGraceMs + marginMs).toBeLessThan(ttlMs / 2);
  }
});

test('output helpers: UTF-8 vs base64 values, escaped one-line values, aligned tables', () => {
  expect(valueFields(Buffer.from('hé'))).toEqual({ value: 'hé' });
  expect(valueFields(Buffer.from([0xff, 0xfe]))).toEqual({ valueBase64: '//4=' });
  expect(valueFields(null, 'prevValue')).toEqual({ prevValue: null });
  expect(inlineText(Buffer.from('a\nb\\c\u0001'))).toBe('a\\nb\\\\c\\x01');
  expect(table(['A', 'LONG'], [[1, 'x'], ['wide', 'y']])).toBe('A     LONG\n1     x\nwide  y');
});
