#!/usr/bin/env -S npx tsx
/**
 * rollback.ts — reverte as últimas N migrações aplicadas no banco do Simpix.
 *
 * Mecanismo: as migrações "up" são geradas pelo drizzle-kit em
 * `migrations/NNNN_<nome>.sql`, com o diário em `migrations/meta/_journal.json`.
 * O migrador do Drizzle registra cada migração aplicada na tabela
 * `drizzle.__drizzle_migrations` (id, hash, created_at), onde `created_at` é o
 * campo `when` da entrada do diário e `hash` é o SHA-256 do arquivo .sql.
 * Para cada migração, o time mantém o script inverso em
 * `migrations/down/NNNN_<nome>.sql`.
 *
 * Para cada migração revertida (da mais recente para a mais antiga), este
 * script executa, numa única transação via psql:
 *   1. o conteúdo de `migrations/down/<tag>.sql`;
 *   2. `DELETE FROM drizzle.__drizzle_migrations WHERE id = <id>`.
 * Se qualquer comando falhar, a transação daquela migração é desfeita e o
 * script para (as migrações já revertidas antes dela continuam revertidas).
 *
 * Uso:  npx tsx scripts/rollback.ts --help
 * Requer: `psql` no PATH e DATABASE_URL no ambiente (nunca na linha de comando).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";

const MIGRATIONS_TABLE = "drizzle.__drizzle_migrations";
const MAX_STEPS = 20;

interface Options {
  steps: number;
  migrationsDir: string;
  dryRun: boolean;
  list: boolean;
  yes: boolean;
  lockTimeout: string;
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

interface AppliedMigration {
  id: number;
  hash: string;
  createdAt: number;
}

interface Plan {
  applied: AppliedMigration;
  tag: string | null;
  upFile: string | null;
  downFile: string | null;
  hashMatches: boolean | null;
}

class UsageError extends Error {}

const HELP = `Uso: npx tsx scripts/rollback.ts [opções]

Reverte as últimas N migrações do Drizzle aplicadas no banco apontado por
DATABASE_URL, executando os scripts migrations/down/<tag>.sql.

Opções:
  -n, --steps N            quantas migrações reverter (padrão: 1, máximo: ${MAX_STEPS})
  -d, --migrations-dir DIR pasta das migrações (padrão: $MIGRATIONS_DIR ou ./migrations)
      --list               só lista as migrações aplicadas (mais recentes primeiro) e sai
      --dry-run            mostra o plano e o SQL que seria executado, sem alterar nada
  -y, --yes                não pede confirmação interativa (obrigatório fora de um terminal)
      --lock-timeout DUR   lock_timeout do PostgreSQL por migração (padrão: 10s)
  -h, --help               mostra esta ajuda

Ambiente:
  DATABASE_URL             string de conexão (carregue de /srv/simpix/.env ou do cofre)

Códigos de saída: 0 sucesso, 1 falha na execução, 2 uso incorreto.

Exemplos:
  npx tsx scripts/rollback.ts --list
  npx tsx scripts/rollback.ts --steps 2 --dry-run
  npx tsx scripts/rollback.ts --steps 2
`;

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} [rollback] ${message}\n`);
}

function parseArgs(argv: string[]): Options | null {
  const opts: Options = {
    steps: 1,
    migrationsDir: process.env.MIGRATIONS_DIR ?? "./migrations",
    dryRun: false,
    list: false,
    yes: false,
    lockTimeout: "10s",
  };
  const takeValue = (flag: string, i: number): string => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("-")) {
      throw new UsageError(`${flag} exige um valor`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "-h":
      case "--help":
        return null;
      case "-n":
      case "--steps": {
        const raw = takeValue(arg, i++);
        if (!/^\d+$/.test(raw)) throw new UsageError(`--steps deve ser um inteiro positivo (recebido: ${raw})`);
        opts.steps = Number(raw);
        if (opts.steps < 1 || opts.steps > MAX_STEPS) {
          throw new UsageError(`--steps deve estar entre 1 e ${MAX_STEPS} (recebido: ${raw})`);
        }
        break;
      }
      case "-d":
      case "--migrations-dir":
        opts.migrationsDir = takeValue(arg, i++);
        break;
      case "--list":
        opts.list = true;
        break;
      case "--dry-run":
        opts.dryRun = true;
        break;
      case "-y":
      case "--yes":
        opts.yes = true;
        break;
      case "--lock-timeout": {
        const raw = takeValue(arg, i++);
        if (!/^\d+(ms|s|min)$/.test(raw)) throw new UsageError(`--lock-timeout inválido: ${raw} (ex.: 500ms, 10s, 1min)`);
        opts.lockTimeout = raw;
        break;
      }
      default:
        throw new UsageError(`opção desconhecida: ${arg}`);
    }
  }
  opts.migrationsDir = resolve(opts.migrationsDir);
  return opts;
}

/** Descreve o alvo sem expor usuário nem senha da URL. */
function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(DATABASE_URL)";
  }
}

function psql(databaseUrl: string, args: string[]): string {
  const result = spawnSync(
    "psql",
    ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", databaseUrl, ...args],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (result.error) {
    throw new Error(`não foi possível executar psql: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`psql terminou com código ${String(result.status)}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function readJournal(migrationsDir: string): JournalEntry[] {
  const journalPath = join(migrationsDir, "meta", "_journal.json");
  if (!existsSync(journalPath)) {
    throw new Error(`diário do drizzle não encontrado: ${journalPath}`);
  }
  const parsed: unknown = JSON.parse(readFileSync(journalPath, "utf8"));
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { entries?: unknown }).entries)) {
    throw new Error(`${journalPath} não tem a lista "entries"`);
  }
  const entries: JournalEntry[] = [];
  for (const raw of (parsed as { entries: unknown[] }).entries) {
    const e = raw as Partial<JournalEntry>;
    if (typeof e.idx !== "number" || typeof e.when !== "number" || typeof e.tag !== "string") {
      throw new Error(`entrada inválida em ${journalPath}: ${JSON.stringify(raw)}`);
    }
    entries.push({ idx: e.idx, when: e.when, tag: e.tag });
  }
  return entries;
}

function readApplied(databaseUrl: string, limit: number): AppliedMigration[] {
  const out = psql(databaseUrl, [
    "--tuples-only",
    "--no-align",
    "--field-separator",
    "|",
    "--command",
    `SELECT id, hash, created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
  ]);
  return out
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, hash, createdAt] = line.split("|");
      if (!/^\d+$/.test(id ?? "") || !/^\d+$/.test(createdAt ?? "")) {
        throw new Error(`linha inesperada em ${MIGRATIONS_TABLE}: ${line}`);
      }
      return { id: Number(id), hash: hash ?? "", createdAt: Number(createdAt) };
    });
}

function buildPlan(applied: AppliedMigration[], journal: JournalEntry[], migrationsDir: string): Plan[] {
  return applied.map((m) => {
    const entry = journal.find((j) => j.when === m.createdAt);
    if (!entry) {
      return { applied: m, tag: null, upFile: null, downFile: null, hashMatches: null };
    }
    const upFile = join(migrationsDir, `${entry.tag}.sql`);
    const downFile = join(migrationsDir, "down", `${entry.tag}.sql`);
    let hashMatches: boolean | null = null;
    if (existsSync(upFile)) {
      hashMatches = createHash("sha256").update(readFileSync(upFile, "utf8")).digest("hex") === m.hash;
    }
    return {
      applied: m,
      tag: entry.tag,
      upFile: existsSync(upFile) ? upFile : null,
      downFile: existsSync(downFile) ? downFile : null,
      hashMatches,
    };
  });
}

function describe(p: Plan): string {
  const when = new Date(p.applied.createdAt).toISOString();
  const tag = p.tag ?? "(sem entrada no _journal.json)";
  const down = p.downFile ? "down: ok" : "down: AUSENTE";
  const hash = p.hashMatches === false ? ", hash DIFERENTE do arquivo local" : "";
  return `id=${p.applied.id} ${tag} (when=${when}, ${down}${hash})`;
}

function buildRollbackSql(p: Plan, lockTimeout: string): string {
  if (!p.downFile || !p.tag) throw new Error(`sem script down para ${describe(p)}`);
  const down = readFileSync(p.downFile, "utf8");
  if (/^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION)\b/im.test(down)) {
    throw new Error(`${p.downFile} controla transação (BEGIN/COMMIT); remova: o script já roda em transação única`);
  }
  return [
    `-- rollback.ts: revertendo ${p.tag} (id=${p.applied.id})`,
    `SET LOCAL lock_timeout = '${lockTimeout}';`,
    down.trimEnd(),
    ";",
    `DELETE FROM ${MIGRATIONS_TABLE} WHERE id = ${p.applied.id};`,
    "",
  ].join("\n");
}

async function confirm(target: string, plans: Plan[]): Promise<boolean> {
  if (!process.stdin.isTTY) {
    log("entrada não interativa: use --yes para confirmar a reversão");
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const expected = `reverter ${plans.length}`;
    const answer = await rl.question(`Alvo ${target}. Digite "${expected}" para continuar: `);
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      log(`ERRO: ${err.message}`);
      process.stderr.write(HELP);
      return 2;
    }
    throw err;
  }
  if (opts === null) {
    process.stdout.write(HELP);
    return 0;
  }

  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    log("ERRO: DATABASE_URL não definida (ex.: set -a; . /srv/simpix/.env; set +a)");
    return 2;
  }
  const target = describeTarget(databaseUrl);
  const journal = readJournal(opts.migrationsDir);

  if (opts.list) {
    const plans = buildPlan(readApplied(databaseUrl, MAX_STEPS), journal, opts.migrationsDir);
    log(`alvo ${target}: ${plans.length} migração(ões) mais recentes (a primeira é a última aplicada)`);
    for (const p of plans) process.stdout.write(`${describe(p)}\n`);
    return 0;
  }

  const plans = buildPlan(readApplied(databaseUrl, opts.steps), journal, opts.migrationsDir);
  if (plans.length === 0) {
    log(`nenhuma migração registrada em ${MIGRATIONS_TABLE}; nada a reverter`);
    return 0;
  }
  if (plans.length < opts.steps) {
    log(`ERRO: pedidas ${opts.steps} reversões, mas só há ${plans.length} migração(ões) aplicada(s)`);
    return 2;
  }

  log(`alvo ${target}; plano (na ordem de execução):`);
  plans.forEach((p, i) => log(`  ${i + 1}. ${describe(p)}`));

  const problems = plans.filter((p) => !p.downFile || !p.tag);
  if (problems.length > 0) {
    log("ERRO: há migração sem script down; nada foi alterado. Escreva o down ou use o restore (pg_restore).");
    return 1;
  }
  if (plans.some((p) => p.hashMatches === false)) {
    log("AVISO: o hash registrado difere do .sql local; confirme que o checkout corresponde à versão em produção.");
  }

  if (opts.dryRun) {
    for (const p of plans) {
      process.stdout.write(`\n-- ===== ${p.tag} =====\n${buildRollbackSql(p, opts.lockTimeout)}`);
    }
    log("[dry-run] nenhuma alteração feita");
    return 0;
  }

  if (!opts.yes && !(await confirm(target, plans))) {
    log("reversão cancelada; nada foi alterado");
    return 1;
  }

  const workDir = mkdtempSync(join(tmpdir(), "simpix-rollback-"));
  let done = 0;
  try {
    for (const p of plans) {
      const sqlFile = join(workDir, `${p.tag ?? p.applied.id}.sql`);
      writeFileSync(sqlFile, buildRollbackSql(p, opts.lockTimeout), { mode: 0o600 });
      log(`revertendo ${p.tag} ...`);
      psql(databaseUrl, ["--single-transaction", "--file", sqlFile]);
      done++;
      log(`revertida ${p.tag} (${done}/${plans.length})`);
    }
  } catch (err) {
    log(`ERRO: ${(err as Error).message}`);
    log(`${done} de ${plans.length} migração(ões) revertida(s); a que falhou foi desfeita (transação única).`);
    return 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  log(`concluído: ${done} migração(ões) revertida(s). Confira com --list.`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(`ERRO: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
