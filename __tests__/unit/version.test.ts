import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TOOL_VERSION } from '../../lib/version';

describe('TOOL_VERSION', () => {
  it('equals the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
