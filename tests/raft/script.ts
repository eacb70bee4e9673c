// Conversation tests: a script of commands against a Network, each followed by the output it
// must produce. `runScript` executes the commands, regenerates the transcript, and returns
// it so that the test compares it with the script (jest shows a diff on mismatch).
//
//   > campaign 1             start an election on node 1 (no delivery)
//   > stabilize              drain Readies and deliver until quiet
//   > deliver [filters]      deliver queued messages once; prints them
//   > drop [filters]         drop queued messages; prints them
//   > queue                  print queued messages
//   > tick <id> [n] / tick-all [n]
//   > propose <id> <text>    > read <id> <ctx>    > transfer <id> <to>
//   > conf <id> <add-learner|promote-learner|remove-node> <node>
//   > isolate <id>  > cut <a> <b>  > heal  > stop <id>  > restart <id>  > flush <id>
//   > compact <id> <index>   > report-snapshot <id> <to> <ok|fail>
//   > trim <to> <last>       cut queued 'app' messages to <to> after index <last> (the rest
//                            of such a message is lost on the way)
//   > status [ids...]        role, term, leader, commit, last log index, applied texts
//   > reads <id>             ReadStates received so far (then forgotten)
// Filters: type=<t> from=<id> to=<id>.

import type { Entry, Message, NodeId } from '../../server/raft';
import { Network } from './network';

/** Commands in one script (a runaway script is a bug in the test). */
const scriptCommandsMax = 500;

export function formatEntries(entries: readonly Entry[]): string {
  if (entries.length === 0) return '';
  const parts = entries.map((e) => {
    const text = new TextDecoder().decode(e.data);
    const payload = e.type === 'conf-change' ? 'conf' : text === '' ? '' : ` ${text}`;
    return `${e.term}/${e.index}${payload}`;
  });
  return ` [${parts.join(', ')}]`;
}

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'app':
      return `${head} prev=${m.logTerm}/${m.index} commit=${m.commit}${formatEntries(m.entries)}`;
    case 'app-resp':
      return m.reject ? `${head} reject index=${m.index} hint=${m.rejectHintTerm}/${m.rejectHint}` : `${head} index=${m.index}`;
    case 'vote':
    case 'pre-vote':
      return `${head} last=${m.logTerm}/${m.index}${m.context === '' ? '' : ` context=${m.context}`}`;
    case 'vote-resp':
    case 'pre-vote-resp':
      return `${head}${m.reject ? ' reject' : ''}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.context === '' ? '' : ` context=${m.context}`}`;
    case 'heartbeat-resp':
    case 'read-index':
      return `${head}${m.context === '' ? '' : ` context=${m.context}`}`;
    case 'read-index-resp':
      return `${head} index=${m.index} context=${m.context}`;
    case 'snap': {
      const meta = m.snapshot?.meta;
      return `${head} snapshot=${meta?.term ?? 0}/${meta?.index ?? 0} voters=${meta?.conf.voters.join(',') ?? ''}`;
    }
    case 'timeout-now':
    case 'transfer-leader':
      return head;
  }
}

function parseFilter(args: readonly string[]): (m: Message) => boolean {
  const wanted = new Map(args.map((a) => a.split('=') as [string, string]));
  return (m) =>
    (!wanted.has('type') || wanted.get('type') === m.type) &&
    (!wanted.has('from') || Number(wanted.get('from')) === m.from) &&
    (!wanted.has('to') || Number(wanted.get('to')) === m.to);
}

function statusLine(net: Network, id: NodeId): string {
  const node = net.node(id);
  if (!node.alive) return `${id} stopped`;
  const s = node.raw.status();
  const leader = s.role === 'leader' ? '' : ` leader=${s.leader}`;
  const texts = net.texts(id);
  return `${id} ${s.role} term=${s.term}${leader} commit=${s.commit} last=${s.lastIndex} applied=[${texts.join(',')}]`;
}

type Command = (net: Network, args: readonly string[]) => string[];

const num = (args: readonly string[], i: number): number => {
  const value = Number(args[i]);
  if (!Number.isInteger(value)) throw new Error(`argument ${i} must be an integer: ${args.join(' ')}`);
  return value;
};

const COMMANDS: Readonly<Record<string, Command>> = {
  campaign: (net, a) => (net.raw(num(a, 0)).campaign(), net.flushAll(), []),
  stabilize: (net) => (net.stabilize(), []),
  deliver: (net, a) => {
    const filter = parseFilter(a);
    const lines = net.queue.filter(filter).map(formatMessage);
    net.deliver(filter);
    net.flushAll();
    return lines;
  },
  drop: (net, a) => {
    const filter = parseFilter(a);
    const lines = net.queue.filter(filter).map(formatMessage);
    net.drop(filter);
    return lines;
  },
  queue: (net) => (net.flushAll(), net.queue.map(formatMessage)),
  tick: (net, a) => (net.tick(num(a, 0), a[1] === undefined ? 1 : num(a, 1)), net.flushAll(), []),
  'tick-all': (net, a) => (net.tickAll(a[0] === undefined ? 1 : num(a, 0)), []),
  propose: (net, a) => {
    const result = net.propose(num(a, 0), a[1] ?? '');
    net.flushAll();
    return [result.ok ? `ok index=${result.index} term=${result.term}` : `dropped ${result.reason} leader=${result.leader}`];
  },
  read: (net, a) => {
    const result = net.raw(num(a, 0)).readIndex(a[1] ?? '');
    net.flushAll();
    return [result.ok ? 'ok' : `dropped ${result.reason} leader=${result.leader}`];
  },
  reads: (net, a) => {
    const node = net.node(num(a, 0));
    const lines = node.readStates.map((r) => `${r.context} index=${r.index}`);
    node.readStates = [];
    return lines;
  },
  transfer: (net, a) => {
    const result = net.raw(num(a, 0)).transferLeadership(num(a, 1));
    net.flushAll();
    return [result.ok ? 'ok' : `dropped ${result.reason} leader=${result.leader}`];
  },
  conf: (net, a) => {
    const type = a[1] as 'add-learner' | 'promote-learner' | 'remove-node';
    const result = net.raw(num(a, 0)).proposeConfChange({ type, nodeId: num(a, 2) });
    net.flushAll();
    return [result.ok ? `ok index=${result.index} term=${result.term}` : `dropped ${result.reason} leader=${result.leader}`];
  },
  trim: (net, a) => {
    const to = num(a, 0);
    const last = num(a, 1);
    net.queue = net.queue.map((m) =>
      m.type === 'app' && m.to === to ? { ...m, entries: m.entries.filter((e) => e.index <= last) } : m,
    );
    return [];
  },
  isolate: (net, a) => (net.isolate(num(a, 0)), []),
  cut: (net, a) => (net.cut(num(a, 0), num(a, 1)), []),
  heal: (net) => (net.heal(), []),
  stop: (net, a) => (net.stop(num(a, 0)), []),
  restart: (net, a) => (net.restart(num(a, 0)), []),
  flush: (net, a) => (net.flush(num(a, 0)), []),
  compact: (net, a) => (net.compact(num(a, 0), num(a, 1)), []),
  'report-snapshot': (net, a) => (net.raw(num(a, 0)).reportSnapshot(num(a, 1), a[2] === 'ok'), net.flushAll(), []),
  status: (net, a) => {
    const ids = a.length > 0 ? a.map(Number) : [...net.nodes.keys()];
    return ids.map((id) => statusLine(net, id));
  },
};

/** Runs the commands of `script` and returns the regenerated transcript. */
export function runScript(net: Network, script: string): string {
  const lines = script.trim().split('\n').map((l) => l.trim());
  const out: string[] = [];
  let commands = 0;
  for (const line of lines) {
    if (!line.startsWith('>')) continue;
    if (++commands > scriptCommandsMax) throw new Error('script too long');
    const [name, ...args] = line.slice(1).trim().split(/\s+/);
    const command = COMMANDS[name ?? ''];
    if (command === undefined) throw new Error(`unknown command: ${line}`);
    out.push(line, ...command(net, args));
  }
  return out.join('\n');
}

/** The script with whitespace normalized, to compare with `runScript`'s transcript. */
export function normalizeScript(script: string): string {
  return script
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}
