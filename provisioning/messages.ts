/**
 * What the technician reads, in English and Hindi. `--lang hi` (or KIOSKCTL_LANG=hi, or a Hindi
 * LANG) picks Hindi; field names, paths and codes stay as they are so they can be read out to
 * support.
 */
export type Lang = 'en' | 'hi';

const MESSAGES = {
  discovering: { en: 'Looking for devices…', hi: 'उपकरण खोजे जा रहे हैं…' },
  discovered: { en: 'Devices found', hi: 'मिले उपकरण' },
  nothingFound: { en: 'No devices found', hi: 'कोई उपकरण नहीं मिला' },
  answersInvalid: { en: 'The answers are not valid:', hi: 'उत्तर सही नहीं हैं:' },
  generatingKeys: { en: 'Generating device keys…', hi: 'उपकरण की कुंजियाँ बनाई जा रही हैं…' },
  centralKey: { en: "Central's capture key fingerprint", hi: 'केंद्र की कैप्चर कुंजी का फ़िंगरप्रिंट' },
  confirmKey: { en: 'Does it match the one on your provisioning sheet? (yes/no)', hi: 'क्या यह आपकी प्रोविज़निंग शीट से मेल खाता है? (yes/no)' },
  keyMismatch: { en: "central's key fingerprint does not match the one confirmed", hi: 'केंद्र की कुंजी का फ़िंगरप्रिंट पुष्टि किए गए से मेल नहीं खाता' },
  keyRejected: { en: "central's key was not confirmed: nothing written", hi: 'केंद्र की कुंजी की पुष्टि नहीं हुई: कुछ नहीं लिखा गया' },
  enrolling: { en: 'Enrolling with central (claim code)…', hi: 'केंद्र में पंजीकरण हो रहा है (क्लेम कोड)…' },
  enrolled: { en: 'Enrolled: certificate issued', hi: 'पंजीकरण हुआ: प्रमाणपत्र जारी' },
  enrollKept: { en: 'Already enrolled: certificate kept', hi: 'पहले से पंजीकृत: प्रमाणपत्र रखा गया' },
  enrollFailed: { en: 'Enrollment failed', hi: 'पंजीकरण विफल' },
  noChanges: { en: 'Nothing to change: the kiosk is already provisioned this way', hi: 'कोई बदलाव नहीं: कियोस्क पहले से ऐसे ही सेट है' },
  dryRun: { en: 'Dry run: nothing written', hi: 'केवल जाँच: कुछ नहीं लिखा गया' },
  provisioned: { en: 'Provisioned', hi: 'प्रोविज़निंग पूरी' },
  selftestPass: { en: 'All checks passed', hi: 'सभी जाँच सफल' },
  selftestFail: { en: 'Some checks failed: see the remedies', hi: 'कुछ जाँच विफल: उपाय देखें' },
  receipt: { en: 'Provisioning receipt', hi: 'प्रोविज़निंग रसीद' },
  agentDown: { en: 'The agent is not answering on its socket', hi: 'एजेंट अपने सॉकेट पर जवाब नहीं दे रहा' },
} as const;

export type MessageId = keyof typeof MESSAGES;

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = flag ?? env['KIOSKCTL_LANG'] ?? env['LANG'] ?? '';
  return v.toLowerCase().startsWith('hi') ? 'hi' : 'en';
}

export function msg(id: MessageId, lang: Lang): string {
  return MESSAGES[id][lang];
}

/** Progress for slow steps: a line when it starts and a tick when it ends, on stderr. */
export async function step<T>(label: string, out: (s: string) => void, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  out(`… ${label}\n`);
  try {
    const r = await fn();
    out(`✓ ${label} (${Date.now() - t0} ms)\n`);
    return r;
  } catch (err) {
    out(`✗ ${label}\n`);
    throw err;
  }
}
