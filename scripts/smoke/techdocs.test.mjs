// TechDocs built by the real backend with Debian's mkdocs and mkdocs-material
// (scripts/system-deps.sh), without the techdocs-core plugin: the production
// environment's docs and a component's are built on request, served, and the
// environment's overview links its problems to its runbook. Each docs folder
// also builds with `mkdocs build --strict` (broken links fail it), and the
// runbook covers every rule of environments-common's rules table. The
// backend must log no error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startBackend } from '../lib/backend.mjs';

const DOCS_DIR = join(repoRoot, 'catalog/docs');

/** The rule ids of the rules table in environments-common's README. */
function ruleIds() {
  const readme = readFileSync(
    join(repoRoot, 'plugins/environments-common/README.md'),
    'utf8',
  );
  const ids = new Set();
  for (const line of readme.split('\n')) {
    const match = /^\| `([a-z<>/-]+)`\s+\|/.exec(line);
    if (match && match[1].includes('/')) ids.add(match[1]);
  }
  return [...ids];
}

/** Builds the entity's docs through the TechDocs backend: its event stream's finish event. */
async function syncDocs(backend, token, kind, name) {
  const res = await fetch(
    `${backend.baseUrl}/api/techdocs/sync/default/${kind}/${name}`,
    {
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'text/event-stream',
      },
    },
  );
  assert.equal(res.status, 200);
  const stream = await res.text();
  const events = [...stream.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map(
    ([, type, data]) => ({ type, data: JSON.parse(data) }),
  );
  const end = events.find(e => e.type === 'finish' || e.type === 'error');
  assert.deepEqual(
    end,
    { type: 'finish', data: { updated: true } },
    `building the docs of ${kind} ${name}:\n${stream.slice(-2000)}`,
  );
}

describe('TechDocs of the catalog, built by the backend', () => {
  let backend;
  let publishDirectory;
  before(async () => {
    publishDirectory = mkdtempSync(join(tmpdir(), 'kler-techdocs-'));
    backend = await startBackend({
      config: { techdocs: { publisher: { local: { publishDirectory } } } },
    });
  });
  after(async () => {
    await backend?.stop();
    rmSync(publishDirectory, { recursive: true, force: true });
  });

  test("builds and serves the production environment's docs with its runbook links", async () => {
    const token = await backend.guestToken();
    await backend.waitForEntity('resource', 'production', token);
    await syncDocs(backend, token, 'resource', 'production');

    const index = await backend.get(
      '/api/techdocs/static/docs/default/resource/production/index.html',
      token,
    );
    assert.equal(index.status, 200);
    assert.match(index.body, /<h1 id="production">Production/);
    assert.match(index.body, /href="runbook\/#plaintext-secrets"/);
    assert.match(index.body, /href="runbook\/#single-zone"/);

    const runbook = await backend.get(
      '/api/techdocs/static/docs/default/resource/production/runbook/index.html',
      token,
    );
    assert.equal(runbook.status, 200);
    assert.match(runbook.body, /id="plaintext-secrets"/);
    assert.match(runbook.body, /--cluster kler-production/);
  });

  test("builds and serves a component's docs", async () => {
    const token = await backend.guestToken();
    await backend.waitForEntity('component', 'shop-api', token);
    await syncDocs(backend, token, 'component', 'shop-api');
    const index = await backend.get(
      '/api/techdocs/static/docs/default/component/shop-api/index.html',
      token,
    );
    assert.equal(index.status, 200);
    assert.match(index.body, /<h1 id="shop-api">Shop API/);
    assert.match(
      index.body,
      /href="\/docs\/default\/resource\/production\/runbook\/#plaintext-secrets"/,
    );
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});

describe('docs folders of the catalog', () => {
  const folders = readdirSync(DOCS_DIR);

  test('every environment and component with a techdocs-ref has a folder', () => {
    const refs = ['environments.yaml', 'components.yaml'].flatMap(file =>
      [
        ...readFileSync(join(repoRoot, 'catalog', file), 'utf8').matchAll(
          /backstage\.io\/techdocs-ref: dir:\.\/docs\/([a-z-]+)/g,
        ),
      ].map(([, name]) => name),
    );
    assert.deepEqual(refs.sort(), [...folders].sort());
    assert.ok(refs.includes('production') && refs.includes('development'));
  });

  for (const folder of folders) {
    test(`${folder} builds with mkdocs --strict`, () => {
      const out = mkdtempSync(join(tmpdir(), 'kler-mkdocs-'));
      try {
        execFileSync('mkdocs', ['build', '--strict', '--quiet', '-d', out], {
          cwd: join(DOCS_DIR, folder),
          stdio: 'pipe',
        });
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }

  for (const environment of ['production', 'development']) {
    test(`${environment}'s runbook covers every rule of environments-common`, () => {
      const runbook = readFileSync(
        join(DOCS_DIR, environment, 'docs/runbook.md'),
        'utf8',
      );
      const ids = ruleIds();
      assert.ok(ids.length >= 30, `rules table read: ${ids.length} ids`);
      assert.deepEqual(
        ids.filter(id => !runbook.includes(`\`${id}\``)),
        [],
      );
    });
  }
});
