// Labels in English and Hindi; the choice is kept in the browser.
'use strict';
window.I18N = {
  en: {
    title: 'Kiosk fleet', 'nav.fleet': 'Fleet', 'nav.inactivity': 'Inactivity risk', 'nav.ekyc': 'Weekly e-KYC', 'nav.jobs': 'Jobs',
    'live.on': 'live', 'live.off': 'not live', switch: 'हिन्दी',
    total: 'Kiosks', online: 'Online', offline: 'Offline', unknown: 'Unknown', onBattery: 'On battery', atRisk: 'At risk (inactivity)', withAlerts: 'With alerts',
    district: 'District', allDistricts: 'All districts', alert: 'Alert', anyAlert: 'Any alert', allKiosks: 'All kiosks', search: 'Kiosk id',
    csv: 'Export CSV', kiosk: 'Kiosk', lsp: 'LSP', status: 'Status', daysInactive: 'Days inactive', wallet: 'Wallet (Rs)', lastSeen: 'Last seen', alerts: 'Alerts',
    breachOn: 'Fine due on', estimated: 'estimated', days: 'days', devices: 'Devices', device: 'Device', state: 'State', detail: 'Detail',
    openAlerts: 'Open alerts', history: 'Alert history', events: 'Recent events', transactions: 'Transactions', jobs: 'Jobs',
    since: 'Since', type: 'Type', severity: 'Severity', time: 'Time', amount: 'Amount (Rs)', balance: 'Balance (Rs)', service: 'Service',
    sendJob: 'Send job', params: 'Parameters (JSON)', expires: 'Expires in (s)', send: 'Send', sent: 'Job sent', result: 'Result', target: 'Target', created: 'Created',
    week: 'Week from', total2: 'Total', none: 'Nothing to show', noKiosk: 'No such kiosk', back: 'Back to the fleet', gaps: 'Sequence gaps', action: 'Action',
    'liveness.online': 'online', 'liveness.offline': 'offline', 'liveness.unknown': 'unknown',
    riskNote: 'Kiosks without a transaction, soonest fine first. A fine falls on the 30th day.',
  },
  hi: {
    title: 'कियोस्क बेड़ा', 'nav.fleet': 'बेड़ा', 'nav.inactivity': 'निष्क्रियता जोखिम', 'nav.ekyc': 'साप्ताहिक ई-केवाईसी', 'nav.jobs': 'कार्य',
    'live.on': 'लाइव', 'live.off': 'लाइव नहीं', switch: 'English',
    total: 'कियोस्क', online: 'ऑनलाइन', offline: 'ऑफ़लाइन', unknown: 'अज्ञात', onBattery: 'बैटरी पर', atRisk: 'जोखिम में (निष्क्रियता)', withAlerts: 'चेतावनी सहित',
    district: 'ज़िला', allDistricts: 'सभी ज़िले', alert: 'चेतावनी', anyAlert: 'कोई भी चेतावनी', allKiosks: 'सभी कियोस्क', search: 'कियोस्क आईडी',
    csv: 'CSV निर्यात', kiosk: 'कियोस्क', lsp: 'एलएसपी', status: 'स्थिति', daysInactive: 'निष्क्रिय दिन', wallet: 'वॉलेट (₹)', lastSeen: 'अंतिम संपर्क', alerts: 'चेतावनियाँ',
    breachOn: 'जुर्माने की तिथि', estimated: 'अनुमानित', days: 'दिन', devices: 'उपकरण', device: 'उपकरण', state: 'स्थिति', detail: 'विवरण',
    openAlerts: 'खुली चेतावनियाँ', history: 'चेतावनी इतिहास', events: 'हाल की घटनाएँ', transactions: 'लेन-देन', jobs: 'कार्य',
    since: 'से', type: 'प्रकार', severity: 'गंभीरता', time: 'समय', amount: 'राशि (₹)', balance: 'शेष (₹)', service: 'सेवा',
    sendJob: 'कार्य भेजें', params: 'पैरामीटर (JSON)', expires: 'समाप्ति (सेकंड)', send: 'भेजें', sent: 'कार्य भेजा गया', result: 'परिणाम', target: 'लक्ष्य', created: 'बनाया गया',
    week: 'सप्ताह (से)', total2: 'कुल', none: 'दिखाने को कुछ नहीं', noKiosk: 'ऐसा कोई कियोस्क नहीं', back: 'बेड़े पर लौटें', gaps: 'क्रम अंतराल', action: 'क्रिया',
    'liveness.online': 'ऑनलाइन', 'liveness.offline': 'ऑफ़लाइन', 'liveness.unknown': 'अज्ञात',
    riskNote: 'बिना लेन-देन वाले कियोस्क, सबसे पहले जुर्माने वाले ऊपर। 30वें दिन जुर्माना लगता है।',
  },
};
