// Locates the third-party software the interop, differential and capture code runs against:
// Java and the Apache ZooKeeper 3.8 classpath (Debian `zookeeper`), zkCli.sh, the C clients cli_mt
// and load_gen (`zookeeper-bin`), Debian's python3 with kazoo, and our own built server.
// Every finder returns either the location or a reason it is absent; nothing here installs anything.
// `describeWith` turns an absent tool into a visible skip instead of a silent pass.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export type Found<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface ApacheZooKeeper {
  java: string;
  /** Classpath exactly as zkEnv.sh builds it, plus slf4j-simple when installed (server logs on stderr). */
  classpath: string;
  mainClass: string;
  /** Upstream version from the jar name, e.g. "3.8.0". */
  version: string;
  /** Debian package version, e.g. "3.8.0-11+deb12u2". */
  packageVersion: string;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const OUR_SERVER_BIN_DEFAULT = path.join(REPO_ROOT, 'dist', 'zk-server', 'src', 'bin', 'zk-server.js');

const ZK_ENV_CANDIDATES = ['/usr/share/zookeeper/bin/zkEnv.sh'];
const ZK_CLI_CANDIDATES = ['/usr/share/zookeeper/bin/zkCli.sh'];
const CLI_MT_CANDIDATES = ['/usr/lib/zookeeper/bin/cli_mt'];
const LOAD_GEN_CANDIDATES = ['/usr/lib/zookeeper/bin/load_gen'];
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const JAVA_SHARE_DIR = '/usr/share/java';
const TOOL_PROBE_TIMEOUT_MS = 15_000;

const cache = new Map<string, unknown>();

function cached<T>(key: string, compute: () => T): T {
  if (!cache.has(key)) cache.set(key, compute());
  return cache.get(key) as T;
}

function run(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: TOOL_PROBE_TIMEOUT_MS });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? '') };
}

/** First existing candidate, else the line of `dpkg -L <pkg>` ending with `suffix`. */
function locate(candidates: string[], pkg: string, suffix: string): string | undefined {
  for (const c of candidates) if (existsSync(c)) return c;
  const listed = run('dpkg', ['-L', pkg]);
  if (!listed.ok) return undefined;
  return listed.stdout.split('\n').find((line) => line.endsWith(suffix) && existsSync(line));
}

export function packageVersion(pkg: string): string | undefined {
  return cached(`dpkg:${pkg}`, () => {
    const r = run('dpkg-query', ['-W', '-f=${Version}', pkg]);
    return r.ok && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
  });
}

export function findJava(): Found<{ path: string; version: string }> {
  return cached('java', () => {
    const which = run('sh', ['-c', 'command -v java']);
    const javaPath = which.stdout.trim();
    if (!which.ok || javaPath === '') return { ok: false as const, reason: 'java is not on PATH (Debian: default-jre-headless)' };
    const v = run(javaPath, ['-version']);
    if (!v.ok) return { ok: false as const, reason: `${javaPath} -version failed: ${v.stderr.trim()}` };
    const version = /version "([^"]+)"/.exec(v.stderr)?.[1] ?? 'unknown';
    return { ok: true as const, path: javaPath, version };
  });
}

function zooKeeperJarVersion(): string {
  try {
    for (const name of readdirSync(JAVA_SHARE_DIR)) {
      const m = /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(name);
      if (m !== null) return m[1]!;
    }
  } catch {
    // no /usr/share/java: version unknown
  }
  return 'unknown';
}

export function findApacheZooKeeper(): Found<ApacheZooKeeper> {
  return cached('apache-zk', () => {
    const java = findJava();
    if (!java.ok) return java;
    const zkEnv = locate(ZK_ENV_CANDIDATES, 'zookeeper', '/bin/zkEnv.sh');
    if (zkEnv === undefined) return { ok: false as const, reason: 'Apache ZooKeeper is not installed (Debian package `zookeeper`)' };
    // zkEnv.sh is the script zkServer.sh sources: its CLASSPATH is the one the real server uses.
    const env = run('bash', ['-c', `. '${zkEnv}' >/dev/null 2>&1; printf '%s' "$CLASSPATH"`]);
    const classpath = env.stdout.trim();
    if (!env.ok || classpath === '') return { ok: false as const, reason: `could not read CLASSPATH from ${zkEnv}` };
    const jars = classpath.split(':').filter((p) => p.endsWith('.jar'));
    const missing = jars.filter((j) => !existsSync(j));
    if (jars.length === 0 || missing.length > 0) {
      return { ok: false as const, reason: `ZooKeeper classpath incomplete (missing ${missing.join(', ') || 'jars'})` };
    }
    const withLogs = existsSync(SLF4J_SIMPLE_JAR) ? `${classpath}:${SLF4J_SIMPLE_JAR}` : classpath;
    return {
      ok: true as const,
      java: java.path,
      classpath: withLogs,
      mainClass: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      version: zooKeeperJarVersion(),
      packageVersion: packageVersion('zookeeper') ?? 'unknown',
    };
  });
}

export function findZkCli(): Found<{ path: string }> {
  return cached('zkCli', () => {
    const java = findJava();
    if (!java.ok) return java;
    const p = locate(ZK_CLI_CANDIDATES, 'zookeeper', '/bin/zkCli.sh');
    return p === undefined ? { ok: false as const, reason: 'zkCli.sh not found (Debian package `zookeeper`)' } : { ok: true as const, path: p };
  });
}

export function findCliMt(): Found<{ path: string }> {
  return cached('cli_mt', () => {
    const p = locate(CLI_MT_CANDIDATES, 'zookeeper-bin', '/cli_mt');
    return p === undefined ? { ok: false as const, reason: 'cli_mt not found (Debian package `zookeeper-bin`)' } : { ok: true as const, path: p };
  });
}

export function findLoadGen(): Found<{ path: string }> {
  return cached('load_gen', () => {
    const p = locate(LOAD_GEN_CANDIDATES, 'zookeeper-bin', '/load_gen');
    return p === undefined ? { ok: false as const, reason: 'load_gen not found (Debian package `zookeeper-bin`)' } : { ok: true as const, path: p };
  });
}

/** Debian's own interpreter (not a pyenv or venv one), which is where python3-kazoo installs. */
export function findKazooPython(): Found<{ path: string; kazooVersion: string }> {
  return cached('kazoo', () => {
    const py = locate(['/usr/bin/python3'], 'python3-minimal', '/bin/python3');
    if (py === undefined) return { ok: false as const, reason: 'Debian python3 not found' };
    const probe = run(py, ['-c', 'import kazoo.client, kazoo.version; print(kazoo.version.__version__)']);
    if (!probe.ok) return { ok: false as const, reason: `kazoo is not importable by ${py} (Debian package \`python3-kazoo\`)` };
    return { ok: true as const, path: py, kazooVersion: probe.stdout.trim() };
  });
}

function shown(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel.startsWith('..') ? p : rel;
}

/** Our built server; ZK_OURS_BIN overrides the location. */
export function findOurServer(): Found<{ path: string }> {
  const p = process.env['ZK_OURS_BIN'] ?? OUR_SERVER_BIN_DEFAULT;
  return existsSync(p)
    ? { ok: true, path: p }
    : { ok: false, reason: `our server is not built (${shown(p)} missing; run \`npx tsc -b\`)` };
}

/** The first absent requirement's reason, or undefined when all are present. */
export function missingReason(...found: Found<object>[]): string | undefined {
  for (const f of found) if (!f.ok) return f.reason;
  return undefined;
}

/**
 * describe() when every requirement is present; otherwise a describe with one skipped test whose
 * title carries the reason, plus a warning on the console, so the skip shows up in the report.
 */
export function describeWith(name: string, requirements: Found<object>[], body: () => void): void {
  const reason = missingReason(...requirements);
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": ${reason}`);
    test.skip(`skipped: ${reason}`, () => undefined);
  });
}

/** kcat (Debian package `kcat`, librdkafka inside): the path and the librdkafka version. */
export function findKcat(): Found<{ path: string; librdkafkaVersion: string }> {
  return cached('kcat', () => {
    const p = locate(['/usr/bin/kcat', '/usr/bin/kafkacat'], 'kcat', '/kcat');
    if (p === undefined) return { ok: false as const, reason: 'kcat not found (Debian package `kcat`)' };
    const v = run(p, ['-V']);
    const librdkafkaVersion = /librdkafka version ([^\s]+)/.exec(v.stdout + v.stderr)?.[1] ?? 'unknown';
    return { ok: true as const, path: p, librdkafkaVersion };
  });
}

function findDebianPythonModule(key: string, module: string, versionExpr: string, pkg: string): Found<{ path: string; version: string }> {
  return cached(key, () => {
    const py = locate(['/usr/bin/python3'], 'python3-minimal', '/bin/python3');
    if (py === undefined) return { ok: false as const, reason: 'Debian python3 not found' };
    const probe = run(py, ['-c', `import ${module}; print(${versionExpr})`]);
    if (!probe.ok) return { ok: false as const, reason: `${module} is not importable by ${py} (Debian package \`${pkg}\`)` };
    return { ok: true as const, path: py, version: probe.stdout.trim() };
  });
}

/** Debian's python3 with confluent_kafka (python3-confluent-kafka, librdkafka inside). */
export function findConfluentKafkaPython(): Found<{ path: string; version: string }> {
  return findDebianPythonModule('confluent-kafka', 'confluent_kafka', 'confluent_kafka.version()[0]', 'python3-confluent-kafka');
}

/** Debian's python3 with kafka-python (python3-kafka). */
export function findKafkaPython(): Found<{ path: string; version: string }> {
  return findDebianPythonModule('kafka-python', 'kafka', 'kafka.__version__', 'python3-kafka');
}

/** Go with Debian's sarama sources (packages golang-go and golang-github-shopify-sarama-dev). */
export function findSarama(): Found<{ go: string; gopath: string }> {
  const gopath = '/usr/share/gocode';
  if (!existsSync('/usr/bin/go')) return { ok: false, reason: 'Go is not installed (Debian package `golang-go`)' };
  if (!existsSync(path.join(gopath, 'src/github.com/Shopify/sarama'))) {
    return { ok: false, reason: 'sarama sources not found (Debian package `golang-github-shopify-sarama-dev`)' };
  }
  return { ok: true, go: '/usr/bin/go', gopath };
}
