// Host log lines: `[ISO time] [source] message`, filtered by host.json logging.logLevel.default.
// Known secrets (keys, the storage account key) are masked in everything written.

export type LogLevel = 'debug' | 'information' | 'warning' | 'error' | 'none';

const ORDER: Record<LogLevel, number> = { debug: 0, information: 1, warning: 2, error: 3, none: 4 };

export function parseLogLevel(value: unknown, fallback: LogLevel = 'information'): LogLevel {
  if (typeof value !== 'string') return fallback;
  switch (value.toLowerCase()) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'information':
    case 'info':
      return 'information';
    case 'warning':
    case 'warn':
      return 'warning';
    case 'error':
    case 'critical':
      return 'error';
    case 'none':
      return 'none';
    default:
      return fallback;
  }
}

export class Logger {
  private readonly secrets = new Set<string>();

  constructor(
    private minLevel: LogLevel = 'information',
    private readonly write: (line: string, level: LogLevel) => void = defaultWrite,
  ) {}

  setLevel(level: LogLevel): void {
    this.minLevel = level;
  }

  /** Values to mask wherever they would appear. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 8) this.secrets.add(value);
  }

  enabled(level: LogLevel): boolean {
    return level !== 'none' && ORDER[level] >= ORDER[this.minLevel];
  }

  log(level: LogLevel, message: string, source?: string): void {
    if (!this.enabled(level)) return;
    this.emit(level, message, source);
  }

  debug(message: string, source?: string): void {
    this.log('debug', message, source);
  }
  info(message: string, source?: string): void {
    this.log('information', message, source);
  }
  warn(message: string, source?: string): void {
    this.log('warning', message, source);
  }
  error(message: string, source?: string): void {
    this.log('error', message, source);
  }

  /** Written whatever the level (start-up banner, fatal errors). */
  always(message: string): void {
    this.write(this.mask(message), 'information');
  }

  mask(text: string): string {
    let masked = text.replace(/([?&]code=)[^&\s"']+/gi, '$1***');
    for (const secret of this.secrets) masked = masked.split(secret).join('***');
    return masked;
  }

  private emit(level: LogLevel, message: string, source?: string): void {
    const prefix = `[${new Date().toISOString()}]${source ? ` [${source}]` : ''}`;
    const text = message
      .split('\n')
      .map((line) => `${prefix} ${line}`)
      .join('\n');
    this.write(this.mask(text), level);
  }
}

function defaultWrite(line: string, level: LogLevel): void {
  if (level === 'error' || level === 'warning') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}
