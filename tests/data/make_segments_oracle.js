// Ask Twilio's segment calculator (npm sms-segments-calculator@1.3.0) about a fixed, seeded set
// of texts and print the answers as JSON: the table tests/test_segments.py holds Python to.
//
//   cd tests/data && npm install --no-save sms-segments-calculator@1.3.0
//   node make_segments_oracle.js > segments_oracle.json
//   node make_segments_oracle.js --stdin < texts.json   # measure a JSON list of texts
'use strict';

const { SegmentedMessage } = require('sms-segments-calculator');
const SmartEncodingMap = require('sms-segments-calculator/dist/libs/SmartEncodingMap.js').default;
const { version } = require('sms-segments-calculator/package.json');

const CALCULATOR = 'sms-segments-calculator@1.3.0';
const SEED = 20260308;

if (`sms-segments-calculator@${version}` !== CALCULATOR) {
  throw new Error(`expected ${CALCULATOR}, found ${version}: the table must not drift`);
}

function measure(text, smart) {
  const m = new SegmentedMessage(text, 'auto', smart);
  const result = {
    encoding: m.encodingName,
    segments: m.segmentsCount,
    chars: m.numberOfCharacters, // septets for GSM-7, grapheme clusters for UCS-2
    units: m.messageSize / (m.encodingName === 'GSM-7' ? 7 : 16), // septets or UTF-16 units
    nonGsm: [...new Set(m.getNonGsmCharacters())], // distinct, in order of first appearance
  };
  const encoded = m.graphemes.join('');
  if (smart && encoded !== text) result.text = encoded; // the body after Smart Encoding
  return result;
}

function row(group, text) {
  return { group, text, plain: measure(text, false), smart: measure(text, true) };
}

// mulberry32: a tiny seeded generator, so the table is the same on every run.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LANGUAGE = [
  'Hello families! School is closed tomorrow because of snow. Stay safe.',
  'Reminder: parent-teacher conferences are on Thursday from 4 to 7 pm in the gym.',
  'Hola familias, manana no hay clases. Las clases se reanudan el lunes.',
  'Hola, ¿cómo está? La reunión de padres es el jueves a las 6 de la tarde.',
  '¡Feliz año! Señora Muñoz, su niño llegó tarde hoy; por favor llame a la oficina.',
  '¿Necesita ayuda? ¡Escríbanos! Información en español para su familia.',
  'Olá! A escola estará fechada amanhã. Informações: ligue para a secretaria.',
  'Atenção: a reunião de pais será na sexta-feira às 18h. Obrigado!',
  "Bonjour ! L'école sera fermée demain à cause de la neige. Merci de votre compréhension.",
  'Réunion parents-professeurs jeudi à 18 h. Ça commence à l’heure, soyez là !',
  'Bonjou fanmi yo! Lekòl la fèmen demen poutèt nèj la. Mèsi anpil.',
  'Timoun yo gen egzamen vandredi. Tanpri asire yo dòmi byen.',
  'Xin chào quý phụ huynh! Ngày mai trường đóng cửa vì tuyết. Cảm ơn.',
  'Họp phụ huynh vào thứ Năm lúc 6 giờ chiều tại phòng thể dục.',
  '家长您好！明天因下雪学校停课。请注意安全。',
  '家長會將於星期四下午六點在體育館舉行。謝謝！',
  'مرحبا بالعائلات! المدرسة مغلقة غدا بسبب الثلج. شكرا لكم.',
  'مَرْحَبًا بِكُمْ فِي المَدْرَسَةِ',
  'Waalidiinta sharafta leh, dugsigu wuu xiran yahay berri. Mahadsanid.',
  "Kulanka waalidiinta iyo macallimiinta waa Khamiista. Ha ka maqnaanina!",
  '“Field trip” forms are due Friday — don’t forget… Thanks!',
  'Lunch menu: pizza {cheese} [veggie] ~ €3 | $3 ^_^ \\o/',
];

// Clusters that join several code points: the calculator never splits one across segments.
const CLUSTERS = [
  '😀', '❤️', '👍🏽', '🇺🇸', '🇲🇽', '👨‍👩‍👧', '👩‍❤️‍👨', '🏳️‍🌈', '🏳️‍⚧️', '1️⃣', '🧑‍💻', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🫶🏽',
  'e\u0301', 'n\u0303', 'e\u0302\u0323', 'ệ', 'ﷺ', 'بِ', '각', '\u1100\u1161\u11a8', 'कि', 'ที่',
  'ကို',
];
const EXTENSION = ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];
const SMART = ['“', '”', '‘', '’', '—', '–', '…', '\u00a0', '\u2009', '«', '»', '•', '\t', '\u200b'];
// Lengths around one, two and three segments, in units of the repeated text.
const GSM_LENGTHS = [1, 152, 153, 154, 159, 160, 161, 305, 306, 307, 458, 459, 460];
const UCS_LENGTHS = [1, 66, 67, 68, 69, 70, 71, 133, 134, 135, 200, 201, 202];
const BOUNDARIES = [
  ['a', GSM_LENGTHS], ['ñ', GSM_LENGTHS], ['Ç', GSM_LENGTHS], ['\n', GSM_LENGTHS],
  ['€', [1, 76, 77, 79, 80, 81, 152, 153, 154]], ['á', UCS_LENGTHS], ['ç', UCS_LENGTHS],
  ['中', UCS_LENGTHS], ['’', UCS_LENGTHS], ['😀', [1, 33, 34, 35, 36, 66, 67, 68]],
  ['👍🏽', [1, 17, 18, 19, 33, 34]],
];

function* languageRows() {
  for (const text of LANGUAGE) yield row('language', text);
}

function* boundaryRows() {
  yield row('boundary', '');
  for (const [unit, lengths] of BOUNDARIES) {
    for (const n of lengths) yield row('boundary', unit.repeat(n));
  }
}

function* extensionRows() {
  for (const ext of EXTENSION) {
    for (const before of [151, 152, 153, 158, 159, 160]) {
      yield row('extension', 'a'.repeat(before) + ext + 'a'.repeat(152));
    }
  }
  for (const k of [303, 304, 305, 306]) yield row('extension', 'b'.repeat(k) + '€€€');
}

function* clusterRows() {
  for (const cluster of CLUSTERS) {
    yield row('cluster', cluster);
    for (const before of [65, 66, 67, 68, 133, 134]) {
      yield row('cluster', 'á'.repeat(before) + cluster + 'á'.repeat(66));
    }
  }
  const odd = ['🇺🇸🇲', 'x👍🏽', '\u0301a', 'a\u200d👩', '👩\u200d👩', '\u0600a', '\r\n\r\n',
    'a\u0301\u0301\u0301', '\u1100\u1161\u11a8', '🇺🇸🇲🇽🇨', ' 🏽', '\u200d🏽', 'ä\u0308🏽'];
  for (const text of odd) yield row('cluster', text + 'á'.repeat(60) + text);
}

function* smartRows() {
  for (const [char] of Object.entries(SmartEncodingMap)) yield row('smart-map', `x${char}y`);
  for (const mark of SMART) {
    for (const n of [150, 158, 159, 160]) yield row('smart', 'a'.repeat(n) + mark + 'b');
  }
}

function* charsetRows() {
  const ranges = [[0x00, 0x17f], [0x370, 0x3cf], [0x2000, 0x206f], [0x20a0, 0x20bf]];
  for (const [first, last] of ranges) {
    for (let cp = first; cp <= last; cp++) yield row('charset', String.fromCodePoint(cp));
  }
}

function* randomRows(count) {
  const random = rng(SEED);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const words = LANGUAGE.join(' ').split(/\s+/);
  for (let i = 0; i < count; i++) {
    const target = 1 + Math.floor(random() * 330);
    let text = '';
    while ([...text].length < target) {
      const roll = random();
      if (roll < 0.75) text += pick(words) + ' ';
      else if (roll < 0.83) text += pick(EXTENSION);
      else if (roll < 0.9) text += pick(SMART);
      else if (roll < 0.96) text += pick(CLUSTERS);
      else text += pick(['\n', '\r\n', '. ', '! ', '? ']);
    }
    yield row('random', text);
  }
}

function table() {
  return [...languageRows(), ...boundaryRows(), ...extensionRows(), ...clusterRows(),
    ...smartRows(), ...charsetRows(), ...randomRows(200)];
}

function main() {
  if (process.argv.includes('--stdin')) {
    const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(texts.map((text) => row('stdin', text))) + '\n');
    return;
  }
  const rows = table().map((r) => JSON.stringify(r));
  const header = JSON.stringify({ calculator: CALCULATOR, seed: SEED, generator: 'make_segments_oracle.js' });
  process.stdout.write(`{"about": ${header},\n"rows": [\n${rows.join(',\n')}\n]}\n`);
}

main();
