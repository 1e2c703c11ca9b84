/** The fixture snapshots the site tests build against must be what the harness would write. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSnapshot, parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { fixtureSnapshotsDir } from './fixture.ts';

describe('fixture snapshots', () => {
  for (const profile of ['smoke', 'full']) {
    it(`q1-linear-attention/${profile}.json matches the schema and the canonical format`, () => {
      const path = join(fixtureSnapshotsDir, 'q1-linear-attention', `${profile}.json`);
      const text = readFileSync(path, 'utf8');
      const snapshot = parseSnapshot(text, path);
      expect(snapshot.profile).toBe(profile);
      expect(snapshot.title).toContain('FIXTURE');
      expect(formatSnapshot(snapshot)).toBe(text);
    });
  }
});
