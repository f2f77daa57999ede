// Display width as a terminal counts it (wcwidth per code point), and cuts between grapheme clusters.
import t from 'tap';
import { clusters, displayWidth, fit, truncate, wrap } from '../../../provisioning/console/width.js';

t.test('Devanagari: spacing vowel signs take a column, virama and nukta none', (t) => {
  // Measured on tmux 3.3a: the cursor after each word (see width.ts).
  t.equal(displayWidth('कार्य'), 4);
  t.equal(displayWidth('हिन्दी'), 5);
  t.equal(displayWidth('लॉगिन'), 5);
  t.equal(displayWidth('रसीद'), 4);
  t.equal(displayWidth('कागज़'), 4, 'the nukta (U+093C, Mn) takes none');
  t.equal(displayWidth('ASCII text'), 10);
  t.equal(displayWidth('漢字'), 4, 'East Asian wide: two each');
  t.equal(displayWidth('a\u200db'), 2, 'a zero-width joiner takes none');
  t.end();
});

t.test('clusters keep a conjunct together', (t) => {
  const c = clusters('क्षमा');
  t.ok(c.length < [...'क्षमा'].length, 'fewer clusters than code points');
  t.equal(c.map((x) => x.text).join(''), 'क्षमा');
  t.equal(c.reduce((n, x) => n + x.width, 0), displayWidth('क्षमा'));
  t.end();
});

t.test('truncate and fit never split a cluster and always give the width asked', (t) => {
  for (const s of ['नया ई-केवाईसी कैप्चर', 'अंतिम लेनदेन को 26 दिन', 'Service transaction', 'हिन्दी']) {
    for (let w = 1; w <= 24; w++) {
      const f = fit(s, w);
      t.equal(displayWidth(f), w, `${s} in ${w}`);
      const cut = truncate(s, w);
      t.ok(displayWidth(cut) <= w);
      if (cut !== s) t.ok(cut.endsWith('…'), 'a cut ends in an ellipsis');
      // Every cluster of the cut text is a cluster of the original.
      const orig = new Set(clusters(s).map((c) => c.text));
      for (const c of clusters(cut.replace(/…$/, ''))) t.ok(orig.has(c.text), `cluster ${c.text} is whole`);
    }
  }
  t.equal(fit('रु 5', 8, 'right'), '     रु 5', 'the vowel sign u (Mn) takes no column');
  t.end();
});

t.test('wrap breaks at spaces within the width', (t) => {
  const lines = wrap('नागरिक अंगुली की छाप से आधार ई-केवाईसी हेतु सहमत है', 20);
  t.ok(lines.length > 1);
  for (const l of lines) t.ok(displayWidth(l) <= 20, l);
  t.same(wrap('', 10), []);
  t.end();
});
