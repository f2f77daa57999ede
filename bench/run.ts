/**
 * `make bench`: runs every benchmark module under bench/ (each exports `run()` returning
 * results) and writes BENCHMARKS.md with the figures, the machine and the command.
 * BENCH_ONLY=substring runs the modules whose path contains it; the sections of the other
 * modules already in BENCHMARKS.md are kept.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return modules(p);
    return f.endsWith('.js') && p !== join(HERE, 'run.js') && !f.startsWith('_') ? [p] : [];
  });
}

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  const files = modules(HERE).sort();
  const names = new Set(files.map((f) => relative(HERE, f).replace(/\.js$/, '')));
  // A whole run rewrites every module's section; sections no module writes (the hand-run
  // `make load`) are kept either way.
  const sections = new Map<string, string>(previousSections().filter(([name]) => only || !names.has(name)));
  for (const file of files) {
    const name = relative(HERE, file).replace(/\.js$/, '');
    if (only && !name.includes(only)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<BenchResult[]> };
    if (typeof mod.run !== 'function') continue;
    process.stdout.write(`bench ${name} …\n`);
    const started = Date.now();
    try {
      const results = await mod.run();
      const rows = results.map((r) => `| ${r.name} | ${format(r.value)} | ${r.unit} | ${r.note ?? ''} |`);
      sections.set(name, `### ${name}\n\n| measure | value | unit | note |\n|---|---:|---|---|\n${rows.join('\n')}\n\n(run ${new Date().toISOString().slice(0, 16)}Z, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      for (const r of results) process.stdout.write(`  ${r.name}: ${format(r.value)} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    } catch (err) {
      sections.set(name, `### ${name}\n\nfailed: ${(err as Error).message}\n`);
      process.stdout.write(`  failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Benchmarks

Produced by \`make bench\` (\`node dist/bench/run.js\` after the build) on ${new Date().toISOString().slice(0, 10)},
${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
Figures are from one run on this machine; ratios against a baseline measured in the same run are the
figures to compare across machines. Each section gives the date of its own run.

${[...sections.keys()].sort().map((k) => sections.get(k)).join('\n')}`;
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), doc);
  process.stdout.write('wrote BENCHMARKS.md\n');
}

/** The per-module sections of the current BENCHMARKS.md, by module name. */
function previousSections(): [string, string][] {
  const file = join(ROOT, 'BENCHMARKS.md');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/^(?=### )/m)
    .filter((part) => part.startsWith('### '))
    .map((part) => [part.slice(4, part.indexOf('\n')).trim(), part.trimEnd() + '\n']);
}

function format(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

void main();
