import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { AppError } from '../shared/errors';
import { ValidationError } from '../shared/validation';

const invalid = (message: string) => new AppError('invalid_input', 400, message);

/** Parses the options; node's English parse errors become a Spanish message naming the option. */
export const strict = (args: string[], options: ParseArgsOptionsConfig) => {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    if (!String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw err;
    const option = /'(-{1,2}[^' ]+)/.exec((err as Error).message)?.[1] ?? '';
    const known = Object.keys(options).map((name) => `--${name}`);
    throw invalid(
      `Opción desconocida o sin valor: ${option}. Opciones de este comando: ${known.join(', ') || 'ninguna'}.`,
    );
  }
};

export const required = (values: Record<string, unknown>, name: string): string => {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`Falta --${name}.`);
  return value;
};

export const optional = (values: Record<string, unknown>, name: string): string | undefined =>
  typeof values[name] === 'string' ? values[name] : undefined;

/** What was piped to the command, without its final newline. */
export const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
};

/**
 * Runs a command for the CLI: a refused field becomes `--option: message` (the same Spanish
 * messages as the screens, named by the option the operator typed), one line per field.
 */
export async function asCli<T>(options: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const lines = Object.entries(err.fields).map(([field, message]) =>
      options[field] ? `${options[field]}: ${message}` : message,
    );
    throw invalid(lines.join('\n'));
  }
}
