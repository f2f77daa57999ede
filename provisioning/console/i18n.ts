/**
 * Every label of the operator console in English and Hindi (DESIGN §1: the operator reads either).
 * The API's own messages arrive in both languages (problem+json `title`/`title_hi`), so only the
 * console's words live here. `{name}` placeholders are filled by `t`.
 */
import type { Lang } from '../messages.js';

export type { Lang };
export interface Text {
  en: string;
  hi: string;
}

const L = {
  appTitle: { en: 'Kiosk console', hi: 'कियोस्क कंसोल' },
  loginTitle: { en: 'Log in', hi: 'लॉग इन' },
  user: { en: 'User', hi: 'उपयोगकर्ता' },
  pin: { en: 'PIN', hi: 'पिन' },
  loginHelp: { en: 'Type your user name and PIN, then Enter. Tab moves between fields.', hi: 'अपना उपयोगकर्ता नाम और पिन लिखें, फिर Enter दबाएँ। Tab से अगला खाना।' },
  fingerprintOffer: { en: 'F3: log in with your fingerprint', hi: 'F3: अंगुली की छाप से लॉग इन' },
  placeFinger: { en: 'Place your finger on the reader…', hi: 'अपनी अंगुली रीडर पर रखें…' },
  fingerprintUnavailable: { en: 'Fingerprint login is not available on this kiosk', hi: 'इस कियोस्क पर अंगुली की छाप से लॉग इन उपलब्ध नहीं है' },
  loggingIn: { en: 'Logging in', hi: 'लॉग इन हो रहा है' },
  locked: { en: 'Locked after {sec} s without use: log in again', hi: '{sec} सेकंड तक उपयोग न होने से बंद: फिर से लॉग इन करें' },
  loggedOut: { en: 'Logged out', hi: 'लॉग आउट हो गया' },
  operator: { en: 'operator', hi: 'ऑपरेटर' },
  admin: { en: 'admin', hi: 'एडमिन' },

  devices: { en: 'Devices', hi: 'उपकरण' },
  reader: { en: 'Reader', hi: 'रीडर' },
  printer: { en: 'Printer', hi: 'प्रिंटर' },
  ups: { en: 'UPS', hi: 'यूपीएस' },
  link: { en: 'Link', hi: 'कनेक्शन' },
  queue: { en: 'Queue for central', hi: 'केंद्र हेतु कतार' },
  wallet: { en: 'Wallet', hi: 'वॉलेट' },
  minimum: { en: 'minimum', hi: 'न्यूनतम' },
  belowMinimum: { en: 'BELOW MINIMUM: top up the wallet', hi: 'न्यूनतम से कम: वॉलेट रिचार्ज करें' },
  inactivity: { en: 'Inactivity', hi: 'निष्क्रियता' },
  daysSince: { en: '{days} days since the last transaction; day {breach} in {left} days', hi: 'अंतिम लेनदेन को {days} दिन; दिन {breach} आने में {left} दिन' },
  noTxnWarning: { en: 'WARNING: make a transaction before day {breach} or a fine is charged', hi: 'चेतावनी: दिन {breach} से पहले लेनदेन करें, नहीं तो जुर्माना लगेगा' },
  captures: { en: 'Captures', hi: 'कैप्चर' },
  captureQueue: { en: 'Capture queue', hi: 'कैप्चर कतार' },
  thisSession: { en: 'This session', hi: 'इस सत्र में' },
  ekycPending: { en: '{queued} queued, {sent} sent and waiting for central', hi: '{queued} कतार में, {sent} भेजे गए (केंद्र के उत्तर की प्रतीक्षा)' },
  today: { en: 'Today', hi: 'आज' },
  ekycToday: { en: '{accepted} accepted, {rejected} rejected', hi: '{accepted} स्वीकृत, {rejected} अस्वीकृत' },
  ekycMore: { en: ', {duplicate} duplicate, {expired} expired', hi: ', {duplicate} दोहराव, {expired} समय समाप्त' },
  capturesNone: { en: 'none taken in this session', hi: 'इस सत्र में कोई नहीं' },
  notAnswering: { en: 'the agent does not answer', hi: 'एजेंट उत्तर नहीं दे रहा' },
  updated: { en: 'updated {sec} s ago', hi: '{sec} सेकंड पहले अद्यतन' },

  paperOk: { en: 'paper ok', hi: 'कागज़ ठीक' },
  paperNearEnd: { en: 'PAPER NEAR END', hi: 'कागज़ खत्म होने वाला' },
  paperOut: { en: 'PAPER OUT', hi: 'कागज़ खत्म' },
  paperUnknown: { en: 'paper unknown', hi: 'कागज़ अज्ञात' },
  coverOpen: { en: 'COVER OPEN', hi: 'कवर खुला' },
  coverClosed: { en: 'cover closed', hi: 'कवर बंद' },
  receiptsWaiting: { en: '{n} receipts waiting', hi: '{n} रसीदें प्रतीक्षा में' },
  mains: { en: 'mains', hi: 'बिजली चालू' },
  onBattery: { en: 'ON BATTERY', hi: 'बैटरी पर' },
  charge: { en: '{pct} %', hi: 'बैटरी {pct} %' },
  charging: { en: 'charging', hi: 'चार्ज हो रहा है' },
  notConfigured: { en: 'not configured', hi: 'कॉन्फ़िगर नहीं' },
  ok: { en: 'ok', hi: 'ठीक' },
  h_degraded: { en: 'degraded', hi: 'आंशिक खराबी' },
  h_disconnected: { en: 'DISCONNECTED', hi: 'डिस्कनेक्ट' },
  h_absent: { en: 'NOT FOUND', hi: 'नहीं मिला' },
  h_disabled: { en: 'disabled', hi: 'बंद किया गया' },
  h_fault: { en: 'FAULT', hi: 'खराबी' },
  linkUp: { en: 'connected', hi: 'जुड़ा है' },
  linkDown: { en: 'not connected ({state})', hi: 'नहीं जुड़ा ({state})' },

  menu: { en: 'Actions', hi: 'कार्य' },
  actCapture: { en: 'New e-KYC capture', hi: 'नया ई-केवाईसी कैप्चर' },
  actService: { en: 'Service transaction', hi: 'सेवा लेनदेन' },
  actReprint: { en: 'Reprint a receipt', hi: 'रसीद दोबारा छापें' },
  actReport: { en: 'Daily report', hi: 'दैनिक रिपोर्ट' },
  actTopup: { en: 'Record a wallet top-up', hi: 'वॉलेट रिचार्ज दर्ज करें' },
  actPrinterTest: { en: 'Printer test page', hi: 'प्रिंटर परीक्षण पृष्ठ' },
  actSelftest: { en: 'Self-test', hi: 'स्व-परीक्षण' },
  actLogout: { en: 'Log out', hi: 'लॉग आउट' },

  keysHome: { en: '↑↓ Enter choose  F2 Hindi  F10 log out', hi: '↑↓ Enter चुनें  F2 English  F10 लॉग आउट' },
  keysForm: { en: 'Enter next  Esc back  F2 Hindi', hi: 'Enter आगे  Esc वापस  F2 English' },
  keysList: { en: '↑↓ choose  Enter select  Esc back  F2 Hindi', hi: '↑↓ चुनें  Enter चयन  Esc वापस  F2 English' },
  keysLogin: { en: 'Tab field  Enter log in  F2 Hindi', hi: 'Tab खाना  Enter लॉग इन  F2 English' },
  keysBusy: { en: 'Esc stop waiting', hi: 'Esc प्रतीक्षा रोकें' },
  keysBack: { en: 'Esc back  F2 Hindi', hi: 'Esc वापस  F2 English' },

  samagraId: { en: 'Samagra member ID (9 digits)', hi: 'समग्र सदस्य आईडी (9 अंक)' },
  samagraInvalid: { en: 'A Samagra member ID is 9 digits', hi: 'समग्र सदस्य आईडी 9 अंकों की होती है' },
  consentQ: { en: 'The citizen consents to Aadhaar e-KYC with the fingerprint: Y yes, N no', hi: 'नागरिक अंगुली की छाप से आधार ई-केवाईसी हेतु सहमत है: Y हाँ, N नहीं' },
  consentNo: { en: 'No consent: no capture taken', hi: 'सहमति नहीं: कोई कैप्चर नहीं लिया गया' },
  capturing: { en: 'Capturing: the citizen places a finger on the reader', hi: 'कैप्चर: नागरिक अंगुली रीडर पर रखें' },
  captureId: { en: 'Capture', hi: 'कैप्चर' },
  state: { en: 'State', hi: 'स्थिति' },
  st_queued: { en: 'queued (waiting to be sent)', hi: 'कतार में (भेजा जाना है)' },
  st_sent: { en: 'sent, waiting for central', hi: 'भेजा गया, केंद्र के उत्तर की प्रतीक्षा' },
  st_accepted: { en: 'ACCEPTED', hi: 'स्वीकृत' },
  st_rejected: { en: 'REJECTED', hi: 'अस्वीकृत' },
  st_duplicate: { en: 'DUPLICATE', hi: 'दोहराव' },
  st_expired: { en: 'EXPIRED (not sent in time)', hi: 'समय समाप्त (समय पर नहीं भेजा गया)' },
  st_expired_unanswered: { en: 'EXPIRED (sent; no answer from central in time)', hi: 'समय समाप्त (भेजा गया; केंद्र से समय पर उत्तर नहीं)' },
  reason: { en: 'Reason', hi: 'कारण' },
  receiptPrinted: { en: 'Receipt sent to the printer. R prints it again.', hi: 'रसीद प्रिंटर को भेजी गई। R से दोबारा छापें।' },
  receiptPending: { en: 'Receipt: waiting for the printer', hi: 'रसीद: प्रिंटर की प्रतीक्षा' },
  captureOffline: { en: 'Kept safely: it is sent when the link returns. Esc back.', hi: 'सुरक्षित रखा गया: कनेक्शन लौटने पर भेजा जाएगा। Esc वापस।' },

  rates: { en: 'Service (official rate)', hi: 'सेवा (आधिकारिक दर)' },
  amountRs: { en: 'Amount charged, Rs (at most the official rate {rate})', hi: 'ली गई राशि, रु (आधिकारिक दर {rate} तक)' },
  amountInvalid: { en: 'Type an amount in rupees, e.g. 50 or 50.50', hi: 'रुपयों में राशि लिखें, जैसे 50 या 50.50' },
  aboveRate: { en: 'Above the official rate: not allowed', hi: 'आधिकारिक दर से अधिक: अनुमति नहीं' },
  recorded: { en: 'Recorded: receipt {no}', hi: 'दर्ज: रसीद {no}' },
  printed: { en: 'Receipt {no} sent to the printer', hi: 'रसीद {no} प्रिंटर को भेजी गई' },
  reprinted: { en: 'Receipt {no} reprinted (DUPLICATE)', hi: 'रसीद {no} दोबारा छपी (डुप्लिकेट)' },
  noTxns: { en: 'No transactions today', hi: 'आज कोई लेनदेन नहीं' },
  topupAmount: { en: 'Top-up amount paid in, Rs', hi: 'जमा रिचार्ज राशि, रु' },
  topupDone: { en: 'Top-up recorded: balance {bal}', hi: 'रिचार्ज दर्ज: शेष {bal}' },
  testPrinted: { en: 'Test page printed', hi: 'परीक्षण पृष्ठ छपा' },
  testFailed: { en: 'Test page failed: {detail}', hi: 'परीक्षण पृष्ठ विफल: {detail}' },
  reportTitle: { en: 'Daily report {date}', hi: 'दैनिक रिपोर्ट {date}' },
  reportTxns: { en: 'Transactions: {ok} successful, {failed} failed', hi: 'लेनदेन: {ok} सफल, {failed} विफल' },
  reportTotals: { en: 'Charged {charged}, commission {commission}', hi: 'ली गई राशि {charged}, कमीशन {commission}' },
  reportWallet: { en: 'Wallet: opening {open}, closing {close}', hi: 'वॉलेट: आरंभ {open}, अंत {close}' },
  selftestTitle: { en: 'Self-test', hi: 'स्व-परीक्षण' },
  pass: { en: 'PASS', hi: 'सफल' },
  fail: { en: 'FAIL', hi: 'विफल' },
  skip: { en: 'skip', hi: 'छोड़ा' },
  wait: { en: 'Please wait', hi: 'कृपया प्रतीक्षा करें' },
  timeout: { en: 'No answer within {sec} s: {what}. Try again, or check the device.', hi: '{sec} सेकंड में उत्तर नहीं: {what}। फिर प्रयास करें या उपकरण जाँचें।' },
  agentDown: { en: 'The agent is not running (no local API)', hi: 'एजेंट नहीं चल रहा (लोकल API नहीं)' },
  cancelled: { en: 'Stopped waiting', hi: 'प्रतीक्षा रोकी गई' },
  adminOnly: { en: 'For the admin login only', hi: 'केवल एडमिन लॉग इन हेतु' },
  noHindiHere: { en: 'This screen cannot draw Hindi (Linux VT): the kiosk needs kmscon for it', hi: 'यह स्क्रीन हिंदी नहीं दिखा सकती (Linux VT): इसके लिए kmscon चाहिए' },
} satisfies Record<string, Text>;

export type LabelKey = keyof typeof L;
export const LABELS: Record<LabelKey, Text> = L;

/** The label in `lang`, with `{name}` placeholders filled. */
export function t(lang: Lang, key: LabelKey, vars: Record<string, string | number> = {}): string {
  return fill(LABELS[key][lang], vars);
}

export function fill(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Both languages of a label, for messages kept in the state until shown. */
export function both(key: LabelKey, vars: Record<string, string | number> = {}): Text {
  return { en: fill(LABELS[key].en, vars), hi: fill(LABELS[key].hi, vars) };
}

const CAPTURE_STATES = new Set(['queued', 'sent', 'accepted', 'rejected', 'duplicate', 'expired']);

/**
 * A capture state in words (`st_*` labels); an unknown state as the agent named it. An expired
 * capture says why with the agent's `reason`: `unanswered` (sent, central gave no result within the
 * time to live) or `unsent` (the default: older agents give no reason).
 */
export function captureState(lang: Lang, state: string, reason?: string): string {
  if (state === 'expired' && reason === 'unanswered') return t(lang, 'st_expired_unanswered');
  return CAPTURE_STATES.has(state) ? t(lang, `st_${state}` as LabelKey) : state;
}

/** Whether `captureState` already put the capture's reason in words (no separate reason line). */
export function stateExplainsReason(state: string, reason?: string): boolean {
  return state === 'expired' && (reason === 'unanswered' || reason === 'unsent');
}

const HEALTH_STATES = new Set(['degraded', 'disconnected', 'absent', 'disabled', 'fault']);

/** A device's health state in words (protocols/telemetry/state.ts DeviceHealth). */
export function healthState(lang: Lang, state: string): string {
  if (state === 'ok') return t(lang, 'ok');
  return HEALTH_STATES.has(state) ? t(lang, `h_${state}` as LabelKey) : state;
}

/** Integer paise as rupees with Indian digit grouping: 1850000 → "Rs 18,500.00" / "रु 18,500.00". */
export function money(lang: Lang, paise: number): string {
  const neg = paise < 0;
  const abs = Math.abs(paise);
  const rupees = Math.floor(abs / 100).toLocaleString('en-IN');
  const p = String(abs % 100).padStart(2, '0');
  return `${neg ? '-' : ''}${lang === 'hi' ? 'रु' : 'Rs'} ${rupees}.${p}`;
}

/** Rupees typed by the operator ("50", "50.5", "1,200.75") → integer paise, or undefined. */
export function parseRupees(s: string): number | undefined {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s.replace(/,/g, '').trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}
