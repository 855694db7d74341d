// The process (operator) log: pino, one JSON object a line by default, or short human-readable
// lines on a terminal. Every module that wants to tell the operator something takes a Logger from
// here (createLogger, or child loggers of the service's logger) rather than writing to the console.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** auto (default): pretty when the destination is a terminal, JSON otherwise. */
  format?: LogFormat;
  /** Where lines go (default: standard output). */
  destination?: { write(line: string): unknown; isTTY?: boolean };
  /** Base fields on every line (default: none besides pino's pid and hostname). */
  base?: Record<string, unknown>;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** Turns one pino JSON line into `12:00:00.123 INFO  message key=value ...` (a tiny pino-pretty). */
export function prettyLine(json: string, colour = false): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : json + '\n';
  }
  const level = Number(obj.level);
  const time = typeof obj.time === 'number' ? new Date(obj.time).toISOString().slice(11, 23) : '';
  let name = (LEVEL_NAMES[level] ?? String(obj.level)).padEnd(5);
  if (colour) name = `\x1b[${LEVEL_COLOURS[level] ?? '0'}m${name}\x1b[0m`;
  const fields = Object.entries(obj)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') {
        const e = v as { message?: string; stack?: string };
        return `err=${JSON.stringify(e.message ?? '')}${level >= 50 && e.stack ? '\n    ' + e.stack.split('\n').slice(1).join('\n    ') : ''}`;
      }
      return `${k}=${typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`;
    });
  return `${time} ${name} ${obj.msg ?? ''}${fields.length ? '  ' + fields.join(' ') : ''}\n`;
}

/** A logger on the chosen destination; JSON unless the format (or a terminal with auto) asks for pretty lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? pino.destination({ dest: 1, sync: true });
  const tty = options.destination ? Boolean(options.destination.isTTY) : Boolean(process.stdout.isTTY);
  const pretty = options.format === 'pretty' || ((options.format ?? 'auto') === 'auto' && tty);
  const stream = pretty ? { write: (line: string) => dest.write(prettyLine(line, tty)) } : dest;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? undefined,
      serializers: { err: errorForLog },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (_label, number) => ({ level: number }) },
    },
    stream,
  );
}


/** Every `scheme://user:password@` in a text, with the password replaced by ***. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, '$1***@');
}

/**
 * An error as pino writes it, less what can carry a secret: URL passwords in any of its texts
 * (a driver's message may quote its connection string), and the arguments of a client library's
 * failed command (ioredis puts the failed AUTH, with its password, in err.command.args).
 */
export function errorForLog(err: unknown): unknown {
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactUrlPasswords(value);
    if (!value || typeof value !== 'object' || depth > 4) return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'command' && v && typeof v === 'object' ? { name: (v as { name?: unknown }).name } : scrub(v, depth + 1);
    }
    return out;
  };
  return scrub(err instanceof Error ? pino.stdSerializers.err(err) : err, 0);
}

/** A URL or path with any password removed, safe for the log. */
export function redactSecret(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.protocol === 'file:' ? location : url.toString();
  } catch {
    return location;
  }
}
