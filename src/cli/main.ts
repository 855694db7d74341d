#!/usr/bin/env node
// The `rdds` command: serve, import, demo, lookup (and the operator commands). Flag names are a
// contract (../shared/DESIGN.md): operators' scripts and test harnesses rely on them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config, type Overrides } from '../config.js';
import { ImportError, progressReporter } from '../ingest/jsonl.js';
import { ImportCommandError, importCommand, rollbackCommand } from '../ingest/import-command.js';
import { DEMO_REGISTRAR_IDS, writeDemo, type DemoOptions } from '../ingest/demo.js';
import { planChanges, writeChangeDeposit, writeDepositFile, writeFullDeposit } from '../ingest/rde/generate.js';
import { DepositWriteError } from '../ingest/rde/write.js';
import { ValidationError } from '../model/validate.js';
import { Pipeline } from '../pipeline.js';
import { NO_QUERY_LOG } from '../observe/query-record.js';
import { ReportError, reportCommand } from '../observe/report-command.js';
import { OpenPolicy } from '../policy/open-policy.js';
import { BanCommandError, banCommand, listBansCommand, unbanCommand } from '../policy/ban-command.js';
import { addGateway, GatewayCommandError, listGateways, removeGateway, resumeGateway, setGatewayLimit, suspendGateway } from '../policy/gateway-command.js';
import { parseWith } from '../query/query.js';
import { parseWhoisLine } from '../query/whois-line.js';
import { WhoisRenderer, whoisOptions } from '../render/whois.js';
import { SourceError } from '../ingest/live/source.js';
import { ListenError } from '../server/listen-error.js';
import { redactSecret } from '../observe/log.js';
import { checkAccount, dropPrivileges, PrivilegeError } from '../server/privileges.js';
import { startService } from '../server/service.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

/** A failure the user can act on: printed as one line, exit status 1, no stack trace. */
class UserError extends Error {}

/** The version in package.json (found upwards from this file: src/cli/ under tsx, dist/src/cli/ when built). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

const program = new Command('rdds')
  .description('Registration Data Directory Service: port-43 WHOIS, web WHOIS and RDAP for a domain registry')
  .version(version(), '-V, --version', 'print the version of rdds')
  .showHelpAfterError();

const configOption = () => new Option('--config <file>', 'YAML configuration file').env('RDDS_CONFIG');
const dbOption = () => new Option('--db <path|url>', 'SQLite file path or postgres:// URL (default ./rdds.sqlite)');

/** Set once a configuration asks for debug logging: unexpected errors then print their stack. */
let debug = ['debug', 'trace'].includes(process.env.RDDS_LOG_LEVEL ?? '');

function config(opts: { config?: string; db?: string }, more: Overrides = {}): Config {
  const cfg = loadConfig(opts.config, { db: opts.db, ...more });
  debug ||= cfg.log.level === 'debug' || cfg.log.level === 'trace';
  return cfg;
}

/**
 * Checks a SQLite `db` before it is opened. `mustExist` for the commands that only read the data
 * (serve without --demo, lookup): a database that is not there is an error, not an empty one made
 * on the spot.
 */
function checkDatabase(cfg: Config, mustExist: boolean): void {
  if (/^postgres(ql)?:\/\//.test(cfg.db)) return;
  if (!existsSync(cfg.db)) {
    if (mustExist) throw new UserError(`db (--db) ${cfg.db}: no such database; create it with rdds import or rdds demo (or rdds serve --demo)`);
  } else if (statSync(cfg.db).isDirectory()) throw new UserError(`db (--db) ${cfg.db}: is a directory, not a SQLite database file`);
}

/** `readOnly`: the command only reads (lookup): it neither creates a SQLite file nor a PostgreSQL schema. */
async function withStore<T>(cfg: Config, fn: (store: Store) => Promise<T>, readOnly = false): Promise<T> {
  checkDatabase(cfg, readOnly);
  const store = await openStore(cfg.db, { migrate: !readOnly });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const DEMO_DEFAULT_DOMAINS = 10000;

program
  .command('serve')
  .description('serve WHOIS (port 43), the web pages and RDAP')
  .addOption(configOption())
  .addOption(dbOption())
  .option('--host <addr...>', 'listen address for every door (repeatable; default 127.0.0.1 and ::1)')
  .option('--whois-port <n>', 'port-43 WHOIS port (default 4343)')
  .option('--http-port <n>', 'HTTP port for RDAP and the web pages (default 8080)')
  .option('--admin-port <n>', 'admin port for /metrics and health checks (default 9043)')
  .option('--demo [domains]', `create demo data first if the database is empty (default ${DEMO_DEFAULT_DOMAINS} domains)`)
  .action(async (opts) => {
    const cfg = config(opts, {
      'whois.host': opts.host,
      'http.host': opts.host,
      'admin.host': opts.host,
      'whois.port': opts.whoisPort,
      'http.port': opts.httpPort,
      'admin.port': opts.adminPort,
    });
    // A live node makes its own copy; anything else serves an existing database.
    if (opts.demo === undefined) checkDatabase(cfg, cfg.source.url === null);
    else {
      await withStore(cfg, async (store) => {
        if ((await store.lookupDomain('nic.example')) !== undefined) return;
        const domains = opts.demo === true ? DEMO_DEFAULT_DOMAINS : Number(opts.demo);
        process.stderr.write(`creating demo data (${domains} domains) in ${cfg.db} ...\n`);
        await writeDemo(store, { domains });
      });
    }
    checkAccount(cfg.user, cfg.group);
    const service = await startService(cfg);
    // Every listener is bound: root (for port 43) is no longer needed.
    try {
      dropPrivileges(cfg.user, cfg.group, cfg.log.enabled ? [cfg.log.dir] : []);
    } catch (err) {
      await service.close();
      throw err;
    }
    if (cfg.user !== null) service.observe.logger.info({ user: cfg.user, group: cfg.group, uid: process.getuid?.(), gid: process.getgid?.() }, 'privileges dropped');
    const where = (hosts: string[], port: number, path = '') => hosts.map((h) => (h.includes(':') ? `[${h}]` : h) + `:${port}${path}`).join(', ');
    console.log(`rdds serving ${cfg.registry.tlds.map((t) => '.' + t).join(', ')} from ${service.store.kind} (${redactSecret(cfg.db)})`);
    const example = await exampleDomain(service.store, cfg.registry.tlds).catch(() => undefined); // a banner never stops a start
    const tryIt = (command: string) => (example ? `   try: ${command.replace('NAME', example)}` : '');
    console.log(`  WHOIS (port 43 protocol): ${where(cfg.whois.host, service.ports.whois)}${tryIt(`whois -h 127.0.0.1 -p ${service.ports.whois} NAME`)}`);
    console.log(`  HTTP (web WHOIS, RDAP):   ${where(cfg.http.host, service.ports.http)}${tryIt(`curl http://127.0.0.1:${service.ports.http}/rdap/domain/NAME`)}`);
    if (!example) console.log(`  no domain of ${cfg.registry.tlds.map((t) => '.' + t).join(', ')} in the data yet: rdds import FILE (or, in live mode, wait for the first copy)`);
    console.log(`  admin (metrics, health):  ${where(cfg.admin.host, service.ports.admin)}   try: curl http://127.0.0.1:${service.ports.admin}/readyz`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      console.log('rdds: shutting down, finishing queries in flight');
      await service.close();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });

program
  .command('import')
  .description('import JSON Lines files and RDE deposits (.xml, .xml.gz, several files of one deposit in order); each import lands whole or not at all')
  .argument('<files...>')
  .addOption(configOption())
  .addOption(dbOption())
  .option('--dry-run', 'check everything (references, deposit chain, header counts), store nothing')
  .option('--json', 'print the summary as JSON')
  .option('--force', 'import a DIFF or INCR deposit that does not follow the last deposit imported')
  .action(async (files: string[], opts) => {
    const cfg = config(opts);
    await withStore(cfg, async (store) => {
      try {
        await importCommand(store, files, { tlds: cfg.registry.tlds, dryRun: opts.dryRun, json: opts.json, force: opts.force });
      } catch (err) {
        throw err instanceof ImportCommandError ? new UserError(err.message) : err;
      }
    });
  });

program
  .command('rollback')
  .description('restore the data set from before the last import, at once, in one transaction')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (opts) => {
    await withStore(config(opts), async (store) => {
      try {
        console.log(await rollbackCommand(store));
      } catch (err) {
        throw err instanceof ImportCommandError ? new UserError(err.message) : err;
      }
    });
  });

program
  .command('demo')
  .description('write deterministic synthetic demo data into the database')
  .requiredOption('--domains <n>', 'number of random domains (besides the fixed examples)')
  .option('--seed <s>', 'random seed', '1')
  .option('--deposit <file>', 'write an RDE deposit (FULL, or DIFF with --diff) to FILE (.xml or .xml.gz) instead of the database')
  .option('--diff <n>', 'with --deposit: a DIFF of N domain changes on top of the FULL of --domains and --seed')
  .option('--prev-id <id>', 'with --diff: the id of the FULL deposit it follows (default: that FULL\'s default id)')
  .option('--id <id>', 'with --deposit: the deposit id (default derived from --seed, and --diff)')
  .addOption(new Option('--mode <mode>', "registrar: only one registrar's objects, as its own database holds them (with --registrar)").choices(['registry', 'registrar']).default('registry'))
  .option('--registrar <ianaId>', `with --mode registrar: whose objects (${DEMO_REGISTRAR_IDS.join(', ')})`)
  .option('--thin', "a thin registry's data: no contacts")
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (opts) => {
    const domains = Number(opts.domains);
    const seed = Number(opts.seed);
    if (!Number.isSafeInteger(domains) || domains < 0) throw new UserError(`--domains must be a whole number, not ${opts.domains}`);
    if (!Number.isSafeInteger(seed)) throw new UserError(`--seed must be a whole number, not ${opts.seed}`);
    const shape = demoShape(opts);
    if (opts.deposit !== undefined) {
      if (shape.mode === 'registrar' || shape.thin) throw new UserError('--mode registrar and --thin write a database, not an RDE deposit: leave out --deposit');
      if (opts.db !== undefined) throw new UserError('--deposit writes a file, not a database: leave out --db');
      return demoDeposit(opts.deposit, { domains, seed }, opts);
    }
    if (opts.diff !== undefined || opts.prevId !== undefined || opts.id !== undefined) throw new UserError('--diff, --prev-id and --id need --deposit FILE');
    const cfg = config(opts);
    await withStore(cfg, async (store) => {
      const started = Date.now();
      const progress = progressReporter(process.stderr);
      const counts = await writeDemo(store, { domains, seed, ...shape }, progress);
      progress.finish();
      console.log(`demo data: ${counts.registrar} registrars, ${counts.contact} contacts, ${counts.host} hosts, ${counts.domain} domains in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (shape.mode === 'registrar') console.log(`serve it as the registrar's directory: registry.mode registrar, registry.registrar_iana_id ${shape.registrar} (docs/registrar.md)`);
      if (shape.thin) console.log('serve it as a thin registry: registry.thin true (docs/registrar.md)');
    });
  });

/** The --mode, --registrar and --thin of `rdds demo`, checked together. */
function demoShape(opts: { mode: string; registrar?: string; thin?: boolean }): Pick<DemoOptions, 'mode' | 'registrar' | 'thin'> {
  if (opts.mode !== 'registrar') {
    if (opts.registrar !== undefined) throw new UserError('--registrar needs --mode registrar');
    return { thin: opts.thin === true };
  }
  if (opts.thin) throw new UserError('--thin is for a registry: a registrar holds its contacts (serve a registrar of a thin registry with registry.thin true)');
  if (opts.registrar === undefined) throw new UserError(`--mode registrar needs --registrar IANAID (one of ${DEMO_REGISTRAR_IDS.join(', ')})`);
  const registrar = Number(opts.registrar);
  if (!DEMO_REGISTRAR_IDS.includes(registrar)) throw new UserError(`--registrar must be the IANA ID of one of the demo's registrars (${DEMO_REGISTRAR_IDS.join(', ')}), not ${opts.registrar}`);
  return { mode: 'registrar', registrar };
}

/** `rdds demo --deposit FILE`: a FULL deposit of the demo data, or with --diff a DIFF on top of it. */
async function demoDeposit(file: string, demo: { domains: number; seed: number }, opts: { diff?: string; prevId?: string; id?: string }): Promise<void> {
  const started = Date.now();
  if (opts.diff === undefined && opts.prevId !== undefined) throw new UserError('--prev-id needs --diff N');
  const changes = opts.diff === undefined ? undefined : Number(opts.diff);
  if (changes !== undefined && (!Number.isSafeInteger(changes) || changes < 1)) throw new UserError(`--diff must be a whole number above 0, not ${opts.diff}`);
  let result;
  try {
    result = changes === undefined
      ? await writeDepositFile(file, (out, w) => writeFullDeposit(out, { ...demo, id: opts.id }, w))
      : await writeDepositFile(file, (out, w) => writeChangeDeposit(out, planChanges({ full: demo, changes, id: opts.id, prevId: opts.prevId }), w));
  } catch (err) {
    if (err instanceof DepositWriteError || err instanceof RangeError) throw new UserError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    // The message names the temporary file the deposit is written to; the user gave the final name.
    if (code !== undefined) throw new UserError(`cannot write ${file}: ${(err as Error).message.split(`${file}.partial`).join(file)}`);
    throw err;
  }
  const { envelope: e, bytes } = result;
  const c = e.counts;
  console.log(
    `${file}: ${e.type} deposit ${e.id}${e.prevId ? ` (prevId ${e.prevId})` : ''}, watermark ${e.watermark}, ` +
      `registry totals ${c.registrar} registrars, ${c.contact} contacts, ${c.host} hosts, ${c.domain} domains; ` +
      `${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

program
  .command('lookup')
  .description('answer one WHOIS query from the database, as port 43 would')
  .argument('<query...>')
  .addOption(configOption())
  .addOption(dbOption())
  .addOption(new Option('--tier <tier>', 'access tier to answer for').choices(['public', 'authorized']).default('public'))
  .action(async (words: string[], opts) => {
    const cfg = config(opts);
    // The answer goes through the same pipeline as port 43; the tier is chosen by a fake address
    // that the configuration of this one call puts in the authorized range.
    if (opts.tier === 'authorized') cfg.policy.tiers.authorized = ['127.0.0.1/32'];
    await withStore(cfg, async (store) => {
      const pipeline = new Pipeline(store, new OpenPolicy(cfg), NO_QUERY_LOG, cfg);
      await pipeline.refreshData();
      const renderer = new WhoisRenderer(whoisOptions(cfg));
      let outcome = '';
      const text = await pipeline.handle<undefined, string>({
        remote: { door: 'whois', address: opts.tier === 'authorized' ? '127.0.0.1' : '192.0.2.1' },
        input: words.join(' '),
        format: 'whois',
        parse: () => parseWith(undefined, () => parseWhoisLine(words.join(' '), cfg.registry.tlds)),
        render: (res) => ((outcome = res.outcome), renderer.render(res)),
        size: (t) => t.length,
      });
      process.stdout.write(text.replace(/\r\n/g, '\n'));
      if (outcome === 'bad-query' || outcome === 'error') process.exitCode = 2;
      else if (outcome === 'not-found') process.exitCode = 1;
    }, true);
  });

program.addCommand(reportCommand((opts) => config(opts)));

// Operator bans against running nodes (src/policy/ban-command.ts, docs/policy.md).
program
  .command('ban')
  .description('refuse an address or CIDR range on every node (redis state) or this host (memory state)')
  .argument('<address|cidr>')
  .option('--for <duration>', 'how long, e.g. 90m, 12h, 30d, or forever (until rdds unban; default policy.rate_limit.ban_duration)')
  .option('--reason <text>', 'why (shown by rdds bans)')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (target: string, opts) => console.log(await banCommand(config(opts), target, opts)));

program
  .command('unban')
  .description('lift a ban (for an address, also the automatic ban on its IPv6 /64)')
  .argument('<address|cidr>')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (target: string, opts) => console.log(await unbanCommand(config(opts), target)));

program
  .command('bans')
  .description('list the bans in force: who, until when, why')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (opts) => console.log(await listBansCommand(config(opts))));

// The gateway door's register of gateways (src/policy/gateway-command.ts, docs/gateway.md).
const gateway = program.command('gateway').description('the registered gateways of the gateway door (WHOIS2): every node sees a change within a second');
const gatewayCommand = (name: string, description: string) => gateway.command(name).description(description).addOption(configOption()).addOption(dbOption());
gatewayCommand('add', 'register a gateway by the addresses it connects from')
  .argument('<name>')
  .option('--address <cidr...>', 'an address or CIDR range it connects from (repeatable)')
  .option('--limit <n>', 'queries a minute over all its addresses (default gateway.limit_per_minute)')
  .option('--contact <email>', "whom to tell about its bad queries")
  .action(async (name: string, opts) => console.log(await withStore(config(opts), (store) => addGateway(store, name, opts))));
gatewayCommand('list', 'the registered gateways: addresses, limit, contact, suspension')
  .action(async (opts) => {
    const cfg = config(opts);
    console.log(await withStore(cfg, (store) => listGateways(store, cfg)));
  });
gatewayCommand('remove', 'remove a gateway').argument('<name>').action(async (name: string, opts) => console.log(await withStore(config(opts), (store) => removeGateway(store, name))));
gatewayCommand('set-limit', "set a gateway's queries a minute").argument('<name>').argument('<n>')
  .action(async (name: string, n: string, opts) => console.log(await withStore(config(opts), (store) => setGatewayLimit(store, name, n))));
gatewayCommand('suspend', 'suspend a gateway: its queries are refused, and it is told why').argument('<name>').option('--reason <text>', 'why (the gateway is told)')
  .action(async (name: string, opts) => console.log(await withStore(config(opts), (store) => suspendGateway(store, name, opts.reason))));
gatewayCommand('resume', 'lift a suspension').argument('<name>').action(async (name: string, opts) => console.log(await withStore(config(opts), (store) => resumeGateway(store, name))));

/** A domain the served data holds, for the banner's examples: nic.<tld> (every gTLD has one), else the first of a TLD. */
async function exampleDomain(store: Store, tlds: readonly string[]): Promise<string | undefined> {
  for (const tld of tlds) if (await store.lookupDomain(`nic.${tld}`)) return `nic.${tld}`;
  for (const tld of tlds) {
    const found = await store.searchDomains({ op: 'term', field: 'domain', pattern: `*.${tld}` }, { limit: 1 });
    if (found.items[0]) return found.items[0];
  }
  return undefined;
}

program.parseAsync().catch((err: unknown) => {
  const known = [SourceError, BanCommandError, GatewayCommandError, UserError, ReportError, ConfigError, ImportError, ValidationError, ListenError, DepositWriteError, PrivilegeError];
  if (known.some((type) => err instanceof type)) {
    console.error(`rdds: ${(err as Error).message}`);
  } else {
    // Something rdds did not expect: one line for the operator; the stack only with debug logging.
    console.error(`rdds: ${err instanceof Error ? err.message : String(err)}`);
    if (debug && err instanceof Error) console.error(err.stack);
    else console.error('rdds: (set RDDS_LOG_LEVEL=debug, or log.level: debug, for the details)');
  }
  process.exit(1);
});
