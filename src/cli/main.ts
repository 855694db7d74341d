#!/usr/bin/env node
// The `rdds` command: serve, import, demo, lookup (and the operator commands). Flag names are a
// contract (../shared/DESIGN.md): operators' scripts and test harnesses rely on them.
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config, type Overrides } from '../config.js';
import { ImportError, importJsonLines, progressReporter } from '../ingest/jsonl.js';
import { writeDemo } from '../ingest/demo.js';
import { ValidationError } from '../model/validate.js';
import { Pipeline } from '../pipeline.js';
import { NO_QUERY_LOG } from '../observe/query-record.js';
import { ReportError, reportCommand } from '../observe/report-command.js';
import { OpenPolicy } from '../policy/open-policy.js';
import { BanCommandError, banCommand, listBansCommand, unbanCommand } from '../policy/ban-command.js';
import { parseWith } from '../query/query.js';
import { parseWhoisLine } from '../query/whois-line.js';
import { WhoisRenderer, whoisOptions } from '../render/whois.js';
import { redactSecret } from '../observe/log.js';
import { checkAccount, dropPrivileges, PrivilegeError } from '../server/privileges.js';
import { startService } from '../server/service.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

/** A failure the user can act on: printed as one line, exit status 1, no stack trace. */
class UserError extends Error {}

const program = new Command('rdds')
  .description('Registration Data Directory Service: port-43 WHOIS, web WHOIS and RDAP for a domain registry')
  .showHelpAfterError();

const configOption = () => new Option('--config <file>', 'YAML configuration file (RDDS_CONFIG)').env('RDDS_CONFIG');
const dbOption = () => new Option('--db <path|url>', 'SQLite file path or postgres:// URL (default ./rdds.sqlite)');

function config(opts: { config?: string; db?: string }, more: Overrides = {}): Config {
  return loadConfig(opts.config, { db: opts.db, ...more });
}

async function withStore<T>(cfg: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(cfg.db);
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
    if (opts.demo !== undefined) {
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
    console.log(`  WHOIS (port 43 protocol): ${where(cfg.whois.host, service.ports.whois)}   try: whois -h 127.0.0.1 -p ${service.ports.whois} nic.example`);
    console.log(`  HTTP (web WHOIS, RDAP):   ${where(cfg.http.host, service.ports.http)}   try: curl http://127.0.0.1:${service.ports.http}/rdap/domain/nic.example`);
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
  .description('import JSON Lines files; each file lands whole or not at all')
  .argument('<files...>')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (files: string[], opts) => {
    const cfg = config(opts);
    await withStore(cfg, async (store) => {
      for (const file of files) {
        const progress = progressReporter(process.stderr);
        const counts = await importJsonLines(store, file, { onProgress: progress });
        progress.finish();
        console.log(`${file}: imported ${counts.registrar} registrars, ${counts.contact} contacts, ${counts.host} hosts, ${counts.domain} domains`);
      }
    });
  });

program
  .command('demo')
  .description('write deterministic synthetic demo data into the database')
  .requiredOption('--domains <n>', 'number of random domains (besides the fixed examples)')
  .option('--seed <s>', 'random seed', '1')
  .addOption(configOption())
  .addOption(dbOption())
  .action(async (opts) => {
    const domains = Number(opts.domains);
    const seed = Number(opts.seed);
    if (!Number.isSafeInteger(domains) || domains < 0) throw new UserError(`--domains must be a whole number, not ${opts.domains}`);
    if (!Number.isSafeInteger(seed)) throw new UserError(`--seed must be a whole number, not ${opts.seed}`);
    const cfg = config(opts);
    await withStore(cfg, async (store) => {
      const started = Date.now();
      const progress = progressReporter(process.stderr);
      const counts = await writeDemo(store, { domains, seed }, progress);
      progress.finish();
      console.log(`demo data: ${counts.registrar} registrars, ${counts.contact} contacts, ${counts.host} hosts, ${counts.domain} domains in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  });

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
    });
  });

program.addCommand(reportCommand((opts) => config(opts)));

// Operator bans against running nodes (src/policy/ban-command.ts, docs/policy.md).
program
  .command('ban')
  .description('refuse an address or CIDR range on every node (redis state) or this host (memory state)')
  .argument('<address|cidr>')
  .option('--for <duration>', 'how long, e.g. 90m, 12h, 30d (default policy.rate_limit.ban_duration)')
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

program.parseAsync().catch((err: unknown) => {
  if (err instanceof BanCommandError || err instanceof UserError || err instanceof ReportError || err instanceof ConfigError || err instanceof ImportError || err instanceof ValidationError || err instanceof PrivilegeError) {
    console.error(`rdds: ${err.message}`);
  } else {
    console.error(`rdds: ${err instanceof Error ? err.stack : String(err)}`);
  }
  process.exit(1);
});
