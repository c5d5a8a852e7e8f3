// Demo people and their items, the same for the same seed. Names come from many languages (with
// their accents, which the search must fold); emails are on domains reserved for examples
// (RFC 2606), so that nothing a demo does can ever reach a real mailbox.

export type DemoItem = { title: string; description: string | null };
export type DemoPerson = { name: string; email: string; items: DemoItem[] };

const firstNames = listOf(`
  Ana, Aiko, Amara, Anh, Aoife, Arjun, Astrid, Bao, Beatriz, Björn, Chiara, Chinedu, Chloé,
  Dmitri, Elif, Emeka, Émile, Emma, Fatima, Felix, Freya, Giulia, Hana, Hiroshi, Ibrahim, Ingrid,
  Isabel, Jakub, James, Javier, Ji-woo, Jonas, José, Kai, Karim, Kwame, Lars, Layla, Léa, Lucas,
  Łukasz, Małgorzata, Maria, Mateo, Mehmet, Mei, Minh, Mohammed, Nadia, Naomi, Niamh, Nikolai,
  Noah, Oliver, Olivia, Omar, Priya, Rafael, Ravi, Rosa, Sakura, Samuel, Seo-yeon, Siobhán,
  Sofia, Søren, Tariq, Thandiwe, Thomas, Tomás, Valentina, Wei, Yara, Yusuf, Zoë
`);

const lastNames = listOf(`
  Adeyemi, Ahmed, Andersen, Bakker, Becker, Berg, Bianchi, Brown, Chen, Costa, de Vries, Demir,
  Dubois, Fernández, Fischer, García, Girard, Haddad, Hansen, Hassan, Hernández, Horvat, Ivanov,
  Jansen, Johansson, Johnson, Kaya, Khan, Kim, Korhonen, Kowalski, Larsen, Laurent, Lee, Lefèvre,
  Li, Lindqvist, López, Martínez, Mensah, Moreau, Müller, Murphy, Mwangi, Nguyen, Nielsen, Novák,
  Nowak, O'Brien, Okafor, Papadopoulos, Park, Patel, Pereira, Petrov, Popescu, Rodríguez, Rossi,
  Santos, Sato, Schmidt, Sharma, Silva, Singh, Smith, Suzuki, Tanaka, Taylor, Tran, van Dijk,
  Virtanen, Wagner, Wang, Weber, Williams, Wilson, Yilmaz, Zhang
`);

const domains = listOf(`
  example.com, example.org, example.net, mail.example.com, post.example.org, inbox.example.net
`);

const itemTitles = linesOf(`
  Road bike
  Espresso machine
  Hiking boots
  Sourdough starter
  Record player
  Mechanical keyboard
  Cast-iron skillet
  Two-person tent
  Camera lens, 50 mm f/1.8
  Yoga mat
  Electric kettle
  Standing desk
  Noise-cancelling headphones
  Sewing machine
  Cordless drill and bit set
  Telescope
  Acoustic guitar
  Winter coat
  Bread maker
  Monstera (in the big pot)
  Oak bookshelf
  Cookbook collection
  Ski helmet
  Inflatable paddle board
  Bluetooth speaker
  Laptop stand
  Watercolour set
  Rice cooker
  Tennis racket
  Sleeping bag, −5 °C
  Wool blanket
  Desk lamp
  Camping stove
  Running watch
  Ukulele
  Wooden chess set
  Pressure cooker
  Binoculars
  Air purifier
  E-reader
  Pasta maker
  Garden hose, 25 m
  Bike lock
  Carry-on suitcase
  Rain jacket
  Climbing shoes
  French press
  27-inch monitor
  Tripod
  Dumbbells (2 × 10 kg)
  Projector
  Hammock
  Cooler box
  Stand mixer
  Fountain pen
  Film camera
  Board game shelf
  Snowshoes
  Jigsaw puzzle, 1000 pieces
  Soldering iron
`);

const conditions = linesOf(`
  Like new.
  Well used, but works fine.
  Bought second-hand last year.
  A birthday present.
  Barely used since the move.
  Needs a new battery.
  Missing the original box.
  Serviced in the spring.
  Inherited from my grandparents.
  One small scratch on the side.
`);

/** `{friend}` is replaced with a first name. */
const details = linesOf(`
  Kept in the hall cupboard.
  Lent to {friend} until the end of the month.
  Happy to lend it out: just ask.
  Looking to sell or swap.
  Used most weekends.
  Spare parts are in the garage.
  Comes with the manual and a carrying case.
  The receipt is in the blue folder.
  {friend} knows how to set it up.
  Might take it on the trip in August.
`);

/** The comma-separated entries of `text`, trimmed. */
function listOf(text: string): string[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The lines of `text`, trimmed, without the empty ones. */
function linesOf(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A pseudo-random number generator (mulberry32): the same seed gives the same numbers. */
export function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` people with 1 to 5 items each, deterministic for `seed`, with emails unique among
 * them and not in `taken` (a number is added to a name already used).
 */
export function demoPeople(
  seed: number,
  count: number,
  taken: ReadonlySet<string> = new Set(),
): DemoPerson[] {
  const random = randomFrom(seed);
  const pick = <T>(list: readonly T[]): T => {
    const value = list[Math.floor(random() * list.length)];
    if (value === undefined) throw new Error("picked from an empty list");
    return value;
  };
  const used = new Set(taken);
  const people: DemoPerson[] = [];
  for (let i = 0; i < count; i++) {
    const first = pick(firstNames);
    const last = pick(lastNames);
    const middle = random() < 0.1 ? ` ${pick(firstNames).charAt(0)}.` : "";
    const email = uniqueEmail(emailLocalPart(first, last, random), pick(domains), used);
    used.add(email);
    const items = Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
      title: pick(itemTitles),
      description: random() < 0.2 ? null : description(pick, random),
    }));
    people.push({ name: `${first}${middle} ${last}`, email, items });
  }
  return people;
}

function description(pick: <T>(list: readonly T[]) => T, random: () => number): string {
  const detail = pick(details).replace("{friend}", pick(firstNames));
  return random() < 0.5 ? `${pick(conditions)} ${detail}` : detail;
}

/** The forms people choose: ana.silva, anasilva, asilva, ana_silva, ana.s, silva.ana, ana42. */
function emailLocalPart(first: string, last: string, random: () => number): string {
  const f = ascii(first);
  const l = ascii(last);
  const forms = [
    `${f}.${l}`,
    `${f}${l}`,
    `${f.charAt(0)}${l}`,
    `${f}_${l}`,
    `${f}.${l.charAt(0)}`,
    `${l}.${f}`,
    `${f}${10 + Math.floor(random() * 90)}`,
  ];
  return forms[Math.floor(random() * forms.length)] ?? `${f}.${l}`;
}

function uniqueEmail(local: string, domain: string, used: ReadonlySet<string>): string {
  let email = `${local}@${domain}`;
  for (let n = 2; used.has(email); n++) email = `${local}${n}@${domain}`;
  return email;
}

/** Lower-case ASCII letters only: "Łukasz" → "lukasz", "O'Brien" → "obrien", "de Vries" → "devries". */
export function ascii(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .replace(/ł/gi, "l")
    .replace(/ø/gi, "o")
    .replace(/æ/gi, "ae")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}
