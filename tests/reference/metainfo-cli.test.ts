/**
 * `wirelab torrent create` and `wirelab torrent info` with the reference code,
 * run as a user would: one JSON document with --json, one sentence and a
 * non-zero exit for a mistake.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parseTorrent from 'parse-torrent';
import { describe, expect, test } from 'vitest';
import { seededBytes, tempDirEachTest, writeTree } from '../helpers/metainfo.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function wirelab(...args: string[]) {
  const result = spawnSync(process.execPath, [tsxCli, path.join(root, 'lib', 'cli', 'main.ts'), ...args, '--impl', process.env['WIRELAB_IMPL'] ?? 'solutions'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('wirelab torrent create / info', () => {
  const tmp = tempDirEachTest();

  test('create writes a torrent parse-torrent agrees with; info --json reports it', async () => {
    await writeTree(path.join(tmp.dir, 'share'), { 'a.bin': seededBytes('a', 70_000), 'b/c.bin': seededBytes('c', 3) });
    const out = path.join(tmp.dir, 'share.torrent');
    const created = wirelab('torrent', 'create', path.join(tmp.dir, 'share'), '--announce', 'udp://127.0.0.1:6969', '-o', out, '--piece-length', '32768');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const parsed = await parseTorrent(readFileSync(out));
    expect(created.stdout).toContain(parsed.infoHash);

    const info = wirelab('torrent', 'info', out, '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      name: 'share',
      length: 70_003,
      pieceLength: 32_768,
      pieceCount: 3,
      multiFile: true,
      files: [
        { path: 'a.bin', length: 70_000 },
        { path: 'b/c.bin', length: 3 },
      ],
      announce: 'udp://127.0.0.1:6969',
      infoHash: parsed.infoHash,
    });
  }, 60_000);

  test('mistakes are one sentence and a non-zero exit', () => {
    const bad = path.join(tmp.dir, 'bad.torrent');
    writeFileSync(bad, 'd4:infod4:name1:a4:name1:bee');
    const broken = wirelab('torrent', 'info', bad);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/^error: .*not a valid \.torrent.*offset 17/);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);

    const missing = wirelab('torrent', 'create', path.join(tmp.dir, 'nothing-here'), '--announce', 'http://127.0.0.1:1/announce', '-o', path.join(tmp.dir, 'x.torrent'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^error: .*no such file/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
