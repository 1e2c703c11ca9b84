import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printReport } from '../../../scripts/pdf.ts';
import { projectRoot } from '../site/fixture.ts';

describe('scripts/pdf.ts', () => {
  it('fails with one line naming the missing Chromium, before serving or launching anything', async () => {
    await expect(printReport(join(projectRoot, 'dist'), '/', '/nonexistent/chromium')).rejects.toThrow(
      'cannot print dist/report.pdf: Chromium is needed at /nonexistent/chromium (apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH',
    );
  });

  it('as the last step of npm run build: exit 1 and the message, no stack', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/pdf.ts'], {
      cwd: projectRoot,
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', HW2_DEBUG: '0' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^pdf: cannot print dist\/report\.pdf: Chromium is needed at \/nonexistent\/chromium/),
    ]);
  });
});
