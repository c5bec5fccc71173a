// Interaction scripts: readable ZAB scenarios with their expected output kept in the file
// (test/sim/scripts/*.txt). UPDATE_GOLDEN=1 rewrites the expected output from this run.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runScript } from './script-runner';

const SCRIPTS_DIR = path.join(__dirname, 'scripts');
const scripts = readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith('.txt')).sort();

describe('ZAB scenario scripts', () => {
  it.each(scripts)('%s', (name) => {
    const file = path.join(SCRIPTS_DIR, name);
    const expected = readFileSync(file, 'utf8');
    const actual = runScript(expected);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(file, actual);
      return;
    }
    expect(actual).toBe(expected);
  });
});
