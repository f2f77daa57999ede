// Key sequences of xterm/tmux and of the Linux console.
import t from 'tap';
import { parseKeys } from '../../../provisioning/console/keys.js';

t.test('named keys', (t) => {
  t.same(parseKeys('\x1b[A\x1b[B\x1bOC\x1b[D'), [{ kind: 'up' }, { kind: 'down' }, { kind: 'right' }, { kind: 'left' }]);
  t.same(parseKeys('\r\t\x7f\x03'), [{ kind: 'enter' }, { kind: 'tab' }, { kind: 'backspace' }, { kind: 'ctrl-c' }]);
  t.same(parseKeys('\x1b[Z'), [{ kind: 'backtab' }]);
  t.same(parseKeys('\x1b[1;5A'), [{ kind: 'up' }], 'a modifier names the same key');
  t.end();
});

t.test('function keys: xterm SS3, CSI ~ and the Linux console', (t) => {
  t.same(parseKeys('\x1bOQ'), [{ kind: 'f', n: 2 }]);
  t.same(parseKeys('\x1b[12~'), [{ kind: 'f', n: 2 }]);
  t.same(parseKeys('\x1b[[B'), [{ kind: 'f', n: 2 }], 'Linux console F2');
  t.same(parseKeys('\x1b[21~'), [{ kind: 'f', n: 10 }]);
  t.same(parseKeys('\x1b[[C'), [{ kind: 'f', n: 3 }]);
  t.end();
});

t.test('a lone ESC is Esc; text comes as characters, Devanagari included', (t) => {
  t.same(parseKeys('\x1b'), [{ kind: 'esc' }]);
  t.same(parseKeys('a1'), [{ kind: 'char', ch: 'a' }, { kind: 'char', ch: '1' }]);
  t.same(parseKeys('ह'), [{ kind: 'char', ch: 'ह' }]);
  t.same(parseKeys('\x1b[99~x'), [{ kind: 'char', ch: 'x' }], 'an unknown sequence is skipped whole');
  t.end();
});
