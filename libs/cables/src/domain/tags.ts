/**
 * TAGS (Traffic Analysis by Geography and Subject) as a controlled list: FIPS 10-4 country tags,
 * organisation tags, the Department's subject tags and its K program tags. Plain data, no imports:
 * the web app bundles it with validateDraft.
 */

/** FIPS 10-4 code, the ISO 3166 alpha-2 code of the same place (empty where it has none), name. */
type CountryRow = readonly [fips: string, iso: string, name: string];

export const FIPS_COUNTRIES: readonly CountryRow[] = [
  ['AA', 'AW', 'Aruba'], ['AC', 'AG', 'Antigua and Barbuda'], ['AE', 'AE', 'United Arab Emirates'], ['AF', 'AF', 'Afghanistan'],
  ['AG', 'DZ', 'Algeria'], ['AJ', 'AZ', 'Azerbaijan'], ['AL', 'AL', 'Albania'], ['AM', 'AM', 'Armenia'], ['AN', 'AD', 'Andorra'],
  ['AO', 'AO', 'Angola'], ['AQ', 'AS', 'American Samoa'], ['AR', 'AR', 'Argentina'], ['AS', 'AU', 'Australia'],
  ['AT', '', 'Ashmore and Cartier Islands'], ['AU', 'AT', 'Austria'], ['AV', 'AI', 'Anguilla'], ['AX', '', 'Akrotiri'],
  ['AY', 'AQ', 'Antarctica'], ['BA', 'BH', 'Bahrain'], ['BB', 'BB', 'Barbados'], ['BC', 'BW', 'Botswana'], ['BD', 'BM', 'Bermuda'],
  ['BE', 'BE', 'Belgium'], ['BF', 'BS', 'The Bahamas'], ['BG', 'BD', 'Bangladesh'], ['BH', 'BZ', 'Belize'],
  ['BK', 'BA', 'Bosnia and Herzegovina'], ['BL', 'BO', 'Bolivia'], ['BM', 'MM', 'Burma'], ['BN', 'BJ', 'Benin'], ['BO', 'BY', 'Belarus'],
  ['BP', 'SB', 'Solomon Islands'], ['BQ', '', 'Navassa Island'], ['BR', 'BR', 'Brazil'], ['BS', '', 'Bassas da India'],
  ['BT', 'BT', 'Bhutan'], ['BU', 'BG', 'Bulgaria'], ['BV', 'BV', 'Bouvet Island'], ['BX', 'BN', 'Brunei'], ['BY', 'BI', 'Burundi'],
  ['CA', 'CA', 'Canada'], ['CB', 'KH', 'Cambodia'], ['CD', 'TD', 'Chad'], ['CE', 'LK', 'Sri Lanka'], ['CF', 'CG', 'Congo (Brazzaville)'],
  ['CG', 'CD', 'Congo (Kinshasa)'], ['CH', 'CN', 'China'], ['CI', 'CL', 'Chile'], ['CJ', 'KY', 'Cayman Islands'],
  ['CK', 'CC', 'Cocos (Keeling) Islands'], ['CM', 'CM', 'Cameroon'], ['CN', 'KM', 'Comoros'], ['CO', 'CO', 'Colombia'],
  ['CQ', 'MP', 'Northern Mariana Islands'], ['CR', '', 'Coral Sea Islands'], ['CS', 'CR', 'Costa Rica'],
  ['CT', 'CF', 'Central African Republic'], ['CU', 'CU', 'Cuba'], ['CV', 'CV', 'Cabo Verde'], ['CW', 'CK', 'Cook Islands'],
  ['CY', 'CY', 'Cyprus'], ['DA', 'DK', 'Denmark'], ['DJ', 'DJ', 'Djibouti'], ['DO', 'DM', 'Dominica'], ['DQ', '', 'Jarvis Island'],
  ['DR', 'DO', 'Dominican Republic'], ['DX', '', 'Dhekelia'], ['EC', 'EC', 'Ecuador'], ['EG', 'EG', 'Egypt'], ['EI', 'IE', 'Ireland'],
  ['EK', 'GQ', 'Equatorial Guinea'], ['EN', 'EE', 'Estonia'], ['ER', 'ER', 'Eritrea'], ['ES', 'SV', 'El Salvador'],
  ['ET', 'ET', 'Ethiopia'], ['EU', '', 'Europa Island'], ['EZ', 'CZ', 'Czechia'], ['FG', 'GF', 'French Guiana'], ['FI', 'FI', 'Finland'],
  ['FJ', 'FJ', 'Fiji'], ['FK', 'FK', 'Falkland Islands (Islas Malvinas)'], ['FM', 'FM', 'Micronesia'], ['FO', 'FO', 'Faroe Islands'],
  ['FP', 'PF', 'French Polynesia'], ['FQ', '', 'Baker Island'], ['FR', 'FR', 'France'], ['FS', 'TF', 'French Southern and Antarctic Lands'],
  ['GA', 'GM', 'The Gambia'], ['GB', 'GA', 'Gabon'], ['GG', 'GE', 'Georgia'], ['GH', 'GH', 'Ghana'], ['GI', 'GI', 'Gibraltar'],
  ['GJ', 'GD', 'Grenada'], ['GK', 'GG', 'Guernsey'], ['GL', 'GL', 'Greenland'], ['GM', 'DE', 'Germany'], ['GO', '', 'Glorioso Islands'],
  ['GP', 'GP', 'Guadeloupe'], ['GQ', 'GU', 'Guam'], ['GR', 'GR', 'Greece'], ['GT', 'GT', 'Guatemala'], ['GV', 'GN', 'Guinea'],
  ['GY', 'GY', 'Guyana'], ['GZ', '', 'Gaza Strip'], ['HA', 'HT', 'Haiti'], ['HK', 'HK', 'Hong Kong'],
  ['HM', 'HM', 'Heard Island and McDonald Islands'], ['HO', 'HN', 'Honduras'], ['HQ', '', 'Howland Island'], ['HR', 'HR', 'Croatia'],
  ['HU', 'HU', 'Hungary'], ['IC', 'IS', 'Iceland'], ['ID', 'ID', 'Indonesia'], ['IM', 'IM', 'Isle of Man'], ['IN', 'IN', 'India'],
  ['IO', 'IO', 'British Indian Ocean Territory'], ['IP', '', 'Clipperton Island'], ['IR', 'IR', 'Iran'], ['IS', 'IL', 'Israel'],
  ['IT', 'IT', 'Italy'], ['IV', 'CI', "Cote d'Ivoire"], ['IZ', 'IQ', 'Iraq'], ['JA', 'JP', 'Japan'], ['JE', 'JE', 'Jersey'],
  ['JM', 'JM', 'Jamaica'], ['JN', '', 'Jan Mayen'], ['JO', 'JO', 'Jordan'], ['JQ', '', 'Johnston Atoll'], ['JU', '', 'Juan de Nova Island'],
  ['KE', 'KE', 'Kenya'], ['KG', 'KG', 'Kyrgyzstan'], ['KN', 'KP', 'North Korea'], ['KQ', '', 'Kingman Reef'], ['KR', 'KI', 'Kiribati'],
  ['KS', 'KR', 'South Korea'], ['KT', 'CX', 'Christmas Island'], ['KU', 'KW', 'Kuwait'], ['KV', 'XK', 'Kosovo'], ['KZ', 'KZ', 'Kazakhstan'],
  ['LA', 'LA', 'Laos'], ['LE', 'LB', 'Lebanon'], ['LG', 'LV', 'Latvia'], ['LH', 'LT', 'Lithuania'], ['LI', 'LR', 'Liberia'],
  ['LO', 'SK', 'Slovakia'], ['LQ', '', 'Palmyra Atoll'], ['LS', 'LI', 'Liechtenstein'], ['LT', 'LS', 'Lesotho'], ['LU', 'LU', 'Luxembourg'],
  ['LY', 'LY', 'Libya'], ['MA', 'MG', 'Madagascar'], ['MB', 'MQ', 'Martinique'], ['MC', 'MO', 'Macau'], ['MD', 'MD', 'Moldova'],
  ['MF', 'YT', 'Mayotte'], ['MG', 'MN', 'Mongolia'], ['MH', 'MS', 'Montserrat'], ['MI', 'MW', 'Malawi'], ['MJ', 'ME', 'Montenegro'],
  ['MK', 'MK', 'North Macedonia'], ['ML', 'ML', 'Mali'], ['MN', 'MC', 'Monaco'], ['MO', 'MA', 'Morocco'], ['MP', 'MU', 'Mauritius'],
  ['MQ', '', 'Midway Islands'], ['MR', 'MR', 'Mauritania'], ['MT', 'MT', 'Malta'], ['MU', 'OM', 'Oman'], ['MV', 'MV', 'Maldives'],
  ['MX', 'MX', 'Mexico'], ['MY', 'MY', 'Malaysia'], ['MZ', 'MZ', 'Mozambique'], ['NC', 'NC', 'New Caledonia'], ['NE', 'NU', 'Niue'],
  ['NF', 'NF', 'Norfolk Island'], ['NG', 'NE', 'Niger'], ['NH', 'VU', 'Vanuatu'], ['NI', 'NG', 'Nigeria'], ['NL', 'NL', 'Netherlands'],
  ['NN', 'SX', 'Sint Maarten'], ['NO', 'NO', 'Norway'], ['NP', 'NP', 'Nepal'], ['NR', 'NR', 'Nauru'], ['NS', 'SR', 'Suriname'],
  ['NU', 'NI', 'Nicaragua'], ['NZ', 'NZ', 'New Zealand'], ['OD', 'SS', 'South Sudan'], ['PA', 'PY', 'Paraguay'], ['PC', 'PN', 'Pitcairn Islands'],
  ['PE', 'PE', 'Peru'], ['PF', '', 'Paracel Islands'], ['PG', '', 'Spratly Islands'], ['PK', 'PK', 'Pakistan'], ['PL', 'PL', 'Poland'],
  ['PM', 'PA', 'Panama'], ['PO', 'PT', 'Portugal'], ['PP', 'PG', 'Papua New Guinea'], ['PS', 'PW', 'Palau'], ['PU', 'GW', 'Guinea-Bissau'],
  ['QA', 'QA', 'Qatar'], ['RE', 'RE', 'Reunion'], ['RI', 'RS', 'Serbia'], ['RM', 'MH', 'Marshall Islands'], ['RN', 'MF', 'Saint Martin'],
  ['RO', 'RO', 'Romania'], ['RP', 'PH', 'Philippines'], ['RQ', 'PR', 'Puerto Rico'], ['RS', 'RU', 'Russia'], ['RW', 'RW', 'Rwanda'],
  ['SA', 'SA', 'Saudi Arabia'], ['SB', 'PM', 'Saint Pierre and Miquelon'], ['SC', 'KN', 'Saint Kitts and Nevis'], ['SE', 'SC', 'Seychelles'],
  ['SF', 'ZA', 'South Africa'], ['SG', 'SN', 'Senegal'], ['SH', 'SH', 'Saint Helena, Ascension, and Tristan da Cunha'], ['SI', 'SI', 'Slovenia'],
  ['SL', 'SL', 'Sierra Leone'], ['SM', 'SM', 'San Marino'], ['SN', 'SG', 'Singapore'], ['SO', 'SO', 'Somalia'], ['SP', 'ES', 'Spain'],
  ['ST', 'LC', 'Saint Lucia'], ['SU', 'SD', 'Sudan'], ['SV', 'SJ', 'Svalbard'], ['SW', 'SE', 'Sweden'],
  ['SX', 'GS', 'South Georgia and the South Sandwich Islands'], ['SY', 'SY', 'Syria'], ['SZ', 'CH', 'Switzerland'], ['TB', 'BL', 'Saint Barthelemy'],
  ['TD', 'TT', 'Trinidad and Tobago'], ['TE', '', 'Tromelin Island'], ['TH', 'TH', 'Thailand'], ['TI', 'TJ', 'Tajikistan'],
  ['TK', 'TC', 'Turks and Caicos Islands'], ['TL', 'TK', 'Tokelau'], ['TN', 'TO', 'Tonga'], ['TO', 'TG', 'Togo'], ['TP', 'ST', 'Sao Tome and Principe'],
  ['TS', 'TN', 'Tunisia'], ['TT', 'TL', 'Timor-Leste'], ['TU', 'TR', 'Turkey (Turkiye)'], ['TV', 'TV', 'Tuvalu'], ['TW', 'TW', 'Taiwan'],
  ['TX', 'TM', 'Turkmenistan'], ['TZ', 'TZ', 'Tanzania'], ['UC', 'CW', 'Curacao'], ['UG', 'UG', 'Uganda'], ['UK', 'GB', 'United Kingdom'],
  ['UP', 'UA', 'Ukraine'], ['US', 'US', 'United States'], ['UV', 'BF', 'Burkina Faso'], ['UY', 'UY', 'Uruguay'], ['UZ', 'UZ', 'Uzbekistan'],
  ['VC', 'VC', 'Saint Vincent and the Grenadines'], ['VE', 'VE', 'Venezuela'], ['VI', 'VG', 'British Virgin Islands'], ['VM', 'VN', 'Vietnam'],
  ['VQ', 'VI', 'U.S. Virgin Islands'], ['VT', 'VA', 'Holy See (Vatican City)'], ['WA', 'NA', 'Namibia'], ['WE', '', 'West Bank'],
  ['WF', 'WF', 'Wallis and Futuna'], ['WI', 'EH', 'Western Sahara'], ['WQ', '', 'Wake Island'], ['WS', 'WS', 'Samoa'], ['WZ', 'SZ', 'Eswatini'],
  ['YM', 'YE', 'Yemen'], ['ZA', 'ZM', 'Zambia'], ['ZI', 'ZW', 'Zimbabwe'],
];

/** International organisations, as TAGS writes them. The African Union is AU-1: AU is Austria. */
export const ORGANISATION_TAGS: Readonly<Record<string, string>> = {
  UN: 'United Nations', UNSC: 'UN Security Council', UNGA: 'UN General Assembly', UNHRC: 'UN Human Rights Council',
  UNESCO: 'UNESCO', EUN: 'European Union', NATO: 'North Atlantic Treaty Organization', OSCE: 'Organization for Security and Co-operation in Europe',
  OAS: 'Organization of American States', 'AU-1': 'African Union', ASEAN: 'Association of Southeast Asian Nations',
  APEC: 'Asia-Pacific Economic Cooperation', IAEA: 'International Atomic Energy Agency', WTO: 'World Trade Organization',
  OECD: 'Organisation for Economic Co-operation and Development', OPEC: 'Organization of the Petroleum Exporting Countries',
  G7: 'Group of Seven', G8: 'Group of Eight', G20: 'Group of Twenty', IMF: 'International Monetary Fund', IBRD: 'World Bank',
  ICAO: 'International Civil Aviation Organization', WHO: 'World Health Organization', ITU: 'International Telecommunication Union',
  WIPO: 'World Intellectual Property Organization', ECOWAS: 'Economic Community of West African States', SADC: 'Southern African Development Community',
  GCC: 'Gulf Cooperation Council', ARF: 'ASEAN Regional Forum', OPCW: 'Organisation for the Prohibition of Chemical Weapons',
};

/** Subject tags from the Department's TAGS list (political, economic, science, consular, administrative, military). */
export const SUBJECT_TAGS: Readonly<Record<string, string>> = {
  PREL: 'External political relations', PGOV: 'Internal governmental affairs', PHUM: 'Human rights', PTER: 'Terrorists and terrorism',
  PINR: 'Intelligence', PINS: 'National security', PARM: 'Arms controls and disarmament', PBTS: 'National boundaries, territories and sovereignty',
  PREF: 'Refugees', PNAT: 'National independence', PHSA: 'High seas', PROP: 'Propaganda and psychological operations',
  ECON: 'Economic conditions', ETRD: 'Foreign trade', ETTC: 'Trade and technology controls', EFIN: 'Financial and monetary affairs',
  EAID: 'Foreign economic assistance', ENRG: 'Energy and power', EAGR: 'Agriculture and forestry', EINV: 'Foreign investments',
  ELAB: 'Labor sector affairs', ECPS: 'Communications and postal systems', EAIR: 'Civil aviation', EWWT: 'Waterborne transportation',
  EMIN: 'Minerals and metals', EPET: 'Petroleum and natural gas', EIND: 'Industry and manufacturing', ELTN: 'Land transportation',
  ECIN: 'Economic and commercial integration and cooperation', EFIS: 'Commercial fishing', TSPL: 'Science and technology policy',
  TINT: 'Internet administration', TSPA: 'Space activities', TBIO: 'Biological and medical science', TNGD: 'Engineering research and development',
  TRGY: 'Energy technology', TPHY: 'Physical sciences', SENV: 'Environmental affairs', SNAR: 'Narcotics', SOCI: 'Social conditions',
  SCUL: 'Cultural affairs', SMIG: 'Migration', CASC: 'Assistance to citizens', CVIS: 'Visas', CMGT: 'Consular management',
  CPAS: 'Passports and citizenship', CJAN: 'Judicial assistance and notarial services', CFED: 'Federal agency services', OVIP: 'Visits of high officials',
  OTRA: 'Travel', OEXC: 'Educational and cultural exchanges', OIIP: 'International information programs', OPDC: 'Diplomatic couriers',
  OREP: 'Congressional travel', ODIP: 'Diplomatic representation', OFDP: 'Foreign diplomats and foreign missions', AMGT: 'Management operations',
  ASEC: 'Security', APER: 'Personnel', AORC: 'International organizations and conferences', ABUD: 'Budget services', AFIN: 'Financial management',
  ABLD: 'Buildings and grounds', ACOA: 'Communications operations', ADPM: 'Information management', AINF: 'Information systems',
  AMED: 'Medical services', AEMR: 'Emergency planning and evacuation', ASCH: 'Schools for dependents', MARR: 'Military and defense arrangements',
  MASS: 'Military assistance and sales', MCAP: 'Military capabilities', MNUC: 'Military nuclear applications', MOPS: 'Military operations',
  MPOS: 'Military posture and bases',
};

/** K program tags. */
export const PROGRAM_TAGS: Readonly<Record<string, string>> = {
  KIPR: 'Intellectual property rights', KNNP: 'Nuclear nonproliferation', KPAO: 'Public affairs', KTFN: 'Terrorism finance',
  KCRM: 'Criminal activity', KDEM: 'Democratization', KWMN: 'Women', KJUS: 'Justice', KTIP: 'Trafficking in persons',
  KCOR: 'Corruption', KFRD: 'Fraud', KHLS: 'Homeland security', KSCA: 'Science and technology cooperation agreements',
  KSTC: 'Strategic trade controls', KNAR: 'Narcotics programs', KMDR: 'Media reaction', KPKO: 'Peacekeeping operations',
  KHIV: 'HIV/AIDS', KFLU: 'Avian and pandemic influenza', KGHG: 'Greenhouse gases', KSUM: 'Summits', KOLY: 'Olympics',
  KTER: 'Terrorism', KIRF: 'International religious freedom', KCIP: 'Critical infrastructure protection', KBIO: 'Biological weapons',
  KCRS: 'Crisis reporting', KPAL: 'Palestinian affairs', KGIT: 'Global information technology', KMPI: 'Middle East Partnership Initiative',
  KWBG: 'West Bank and Gaza', KSEP: 'Science envoy program', KPRV: 'Privacy', KCFE: 'Conventional forces in Europe',
};

export type TagKind = 'subject' | 'program' | 'country' | 'organisation';

const COUNTRY_BY_FIPS = new Map(FIPS_COUNTRIES.map(([fips, , name]) => [fips, name]));
const FIPS_BY_ISO = new Map(FIPS_COUNTRIES.filter(([, iso]) => iso !== '').map(([fips, iso, name]) => [iso, { fips, name }]));

/** The kind of a tag on the list, or undefined. */
export function tagKind(tag: string): TagKind | undefined {
  if (Object.hasOwn(SUBJECT_TAGS, tag)) return 'subject';
  if (Object.hasOwn(PROGRAM_TAGS, tag)) return 'program';
  if (COUNTRY_BY_FIPS.has(tag)) return 'country';
  if (Object.hasOwn(ORGANISATION_TAGS, tag)) return 'organisation';
  return undefined;
}

/** The place a FIPS 10-4 country tag names. */
export function countryOfTag(tag: string): string | undefined {
  return COUNTRY_BY_FIPS.get(tag);
}

/** The FIPS 10-4 tag of the country with this ISO 3166 alpha-2 code. */
export function fipsOfIso(iso: string): string | undefined {
  return FIPS_BY_ISO.get(iso)?.fips;
}

/** FIPS 10-4 country tags with no ISO 3166 code of their own (the West Bank, Gaza Strip, Akrotiri, …). */
const FIPS_WITHOUT_ISO = new Set(FIPS_COUNTRIES.filter(([, iso]) => iso === '').map(([fips]) => fips));

/**
 * Whether `tag` is the TAGS country tag of the ISO 3166 country `iso`: its own FIPS tag, or, for a
 * country FIPS 10-4 has no tag for, one of the places FIPS names that ISO has no code for.
 */
export function isCountryTagOf(tag: string, iso: string): boolean {
  const own = fipsOfIso(iso);
  return own ? tag === own : FIPS_WITHOUT_ISO.has(tag);
}

/** Why a tag is not on the list, with a hint where one exists. */
export function unknownTagMessage(tag: string): string {
  const upper = tag.toUpperCase();
  if (upper !== tag && tagKind(upper)) return `${tag} is not a TAGS tag; tags are written in capitals: ${upper}`;
  const iso = FIPS_BY_ISO.get(upper);
  if (iso && iso.fips !== upper) return `${tag} is not a FIPS 10-4 country tag; ${iso.name} is ${iso.fips} (TAGS use FIPS codes, not ISO)`;
  return `${tag} is not on the TAGS list of subject, K program, FIPS 10-4 country and organisation tags`;
}

/**
 * Advice, not refusal, for a valid country tag that is also the ISO code of another country: CN is
 * Comoros in TAGS, though ISO gives it to China. A drafter who meant China sees "CN is Comoros;
 * China is CH".
 */
export function tagAdvice(tag: string): string | undefined {
  const country = COUNTRY_BY_FIPS.get(tag);
  const iso = FIPS_BY_ISO.get(tag);
  if (!country || !iso || iso.fips === tag) return undefined;
  return `${tag} is ${country}; ${iso.name} is ${iso.fips}`;
}
