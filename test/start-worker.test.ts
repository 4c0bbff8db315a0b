import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { compiledScriptOf, newestFileUnder } from '../src/threads/start-worker.js';

// Under the test runner a worker thread runs the compiled script of its TypeScript source only
// when dist/ was built after every source file changed; otherwise it goes through tsx, so a test
// run straight after an edit never runs stale code.

t.test('a thread runs dist/ only when it is newer than every source file', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'hocba-start-worker-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'src', 'threads'), { recursive: true });
  mkdirSync(join(root, 'src', 'other'), { recursive: true });
  mkdirSync(join(root, 'dist', 'threads'), { recursive: true });
  const source = join(root, 'src', 'threads', 'w.ts');
  const other = join(root, 'src', 'other', 'dep.ts');
  const compiled = join(root, 'dist', 'threads', 'w.js');
  for (const f of [source, other, compiled]) writeFileSync(f, '');
  const at = (f: string, s: number) => utimesSync(f, s, s);
  at(source, 1000);
  at(other, 1000);
  at(compiled, 2000);
  t.equal(compiledScriptOf(pathToFileURL(source))?.href, pathToFileURL(compiled).href, 'built after the sources: the compiled script');
  t.equal(compiledScriptOf(pathToFileURL(join(root, 'src', 'threads', 'missing.ts'))), null, 'no compiled file: none');
  t.equal(compiledScriptOf(new URL('file:///elsewhere/w.ts')), null, 'not under a src/ folder: none');

  // Another root: a dependency changed after the build (the scan is once per process and root).
  const root2 = mkdtempSync(join(tmpdir(), 'hocba-start-worker-'));
  t.teardown(() => rmSync(root2, { recursive: true, force: true }));
  mkdirSync(join(root2, 'src', 'deep', 'er'), { recursive: true });
  mkdirSync(join(root2, 'dist'), { recursive: true });
  writeFileSync(join(root2, 'src', 'w.ts'), '');
  writeFileSync(join(root2, 'src', 'deep', 'er', 'dep.ts'), '');
  writeFileSync(join(root2, 'dist', 'w.js'), '');
  at(join(root2, 'src', 'w.ts'), 1000);
  at(join(root2, 'src', 'deep', 'er', 'dep.ts'), 3000);
  at(join(root2, 'dist', 'w.js'), 2000);
  t.equal(compiledScriptOf(pathToFileURL(join(root2, 'src', 'w.ts'))), null, 'a source file anywhere under src/ newer than the build: tsx, not stale code');
});

t.test('the newest file under a folder counts every file, at any depth (the tests build by it too)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'hocba-newest-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  const files = { ts: join(root, 'x.ts'), asset: join(root, 'a', 'b', 'page.css'), mjs: join(root, 'a', 'w.mjs') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  utimesSync(files.ts, 1000, 1000);
  utimesSync(files.mjs, 2000, 2000);
  utimesSync(files.asset, 4000, 4000);
  t.equal(newestFileUnder(root), 4_000_000, 'a non-TypeScript file two folders down is the newest');
  utimesSync(files.asset, 500, 500);
  t.equal(newestFileUnder(root), 2_000_000, 'then the .mjs beside it');
});
