import { Writable } from 'node:stream';

// A small pretty printer for pino's JSON lines when the gateway runs on a terminal (pino-pretty
// is not a dependency): "10:42:07.123 INFO  packet delivered packetId=… acknowledged=200".
// Anywhere else (a file, journald, a container's log driver) the JSON lines go out as they are.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

export function prettyLine(line: string, colour = true): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  const { level, time, msg, pid: _pid, hostname: _host, err, ...rest } = o as { level: number; time?: string | number; msg?: string; pid?: unknown; hostname?: unknown; err?: { stack?: string; message?: string } };
  const t = typeof time === 'string' ? time.slice(11, 23) : time ? new Date(time).toISOString().slice(11, 23) : '';
  const label = LEVELS[level] ?? String(level);
  const lv = colour ? `\x1b[${COLOURS[level] ?? '0'}m${label}\x1b[0m` : label;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${value(v)}`).join(' ');
  const stack = err ? `\n    ${(err.stack ?? err.message ?? '').replace(/\n/g, '\n    ')}` : '';
  return `${t} ${lv} ${msg ?? ''}${fields ? ' ' + fields : ''}${stack}\n`;
}

export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) out.write(prettyLine(line));
      done();
    },
  });
}
