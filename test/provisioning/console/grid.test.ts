// The screen grid: rows keep the terminal's width whatever the script, and only changed rows are redrawn.
import t from 'tap';
import { diffFrame, Grid } from '../../../provisioning/console/grid.js';
import { displayWidth } from '../../../provisioning/console/width.js';

t.test('put clips at the row end and returns the next column', (t) => {
  const g = new Grid(20, 3);
  t.equal(g.put(0, 2, 'वॉलेट'), 2 + displayWidth('वॉलेट'));
  t.equal(g.put(1, 15, 'abcdefghij'), 20, 'clipped at the edge');
  t.equal(g.lines()[1], `${' '.repeat(15)}abcde`);
  for (const line of g.lines()) t.equal(displayWidth(line), 20);
  t.end();
});

t.test('writing over half of a wide cluster blanks the rest of it', (t) => {
  const g = new Grid(10, 1);
  g.put(0, 0, 'का'); // 2 columns, one cluster
  g.put(0, 1, 'x');
  t.equal(g.lines()[0], ' x        ');
  t.equal(displayWidth(g.lines()[0]!), 10);
  const h = new Grid(10, 1);
  h.put(0, 0, 'का');
  h.put(0, 0, 'y');
  t.equal(h.lines()[0], 'y         ', 'the continuation cell becomes a space');
  t.end();
});

t.test('ansi rows carry the styles and end in the normal style', (t) => {
  const g = new Grid(10, 2);
  g.fill(0, 'title');
  g.put(0, 1, 'Hi', 'title');
  g.put(1, 0, 'ok', 'ok');
  const rows = g.ansiRows();
  t.equal(rows[0], '\x1b[0;1;7m Hi       \x1b[0m');
  t.equal(rows[1], '\x1b[0;32mok\x1b[0m        \x1b[0m');
  t.end();
});

t.test('diffFrame writes only the rows that changed', (t) => {
  t.equal(diffFrame(undefined, ['a', 'b']), '\x1b[1;1Ha\x1b[2;1Hb');
  t.equal(diffFrame(['a', 'b'], ['a', 'c']), '\x1b[2;1Hc');
  t.equal(diffFrame(['a'], ['a']), '');
  t.end();
});
