/** Where the draft form says a problem with a field of the draft: the id of the control, by the field's name in the request. */
const DRAFT_PLACES: Readonly<Record<string, string>> = {
  subject: 'subject', subjectMarking: 'subject-marking', kind: 'kind', classification: 'classification', precedence: 'precedence',
  classifiedBy: 'classified', 'classifiedBy.reasons': 'classified-reasons', 'classifiedBy.declassifyOn': 'classified-declassify',
  'classifiedBy.derivedFrom': 'classified-derived', 'classifiedBy.exemption': 'classified-exemption',
  captions: 'captions', tags: 'tags', actionAddressees: 'action', infoAddressees: 'info', references: 'references',
  'demarche.reportBy': 'report-by', 'demarche.targets': 'targets', 'demarche.points': 'points', 'demarche.scope': 'scope',
  // A list of the scope's posts is said beside its own box, the focus on it; its kinds, beside the whole scope.
  'demarche.scope.posts': 'scope-posts', 'demarche.scope.excludePosts': 'scope-excluded',
};
/** `paragraphs[1].text` → `para-1`, `demarche.scope.posts` → `scope-posts`, `demarche.scope.kinds` → `scope`; null for a field the form has no place for. */
export function placeInDraft(named: string): string | null {
  // The server names a list's member either way: `paragraphs[0].text` or `paragraphs.0.text`.
  const field = named.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const paragraph = /^paragraphs\[(\d+)\]/.exec(field);
  if (paragraph) return `para-${paragraph[1]}`;
  const path = field.replace(/\[\d+\]/g, '');
  const [first, second] = path.split('.');
  return DRAFT_PLACES[path] ?? DRAFT_PLACES[`${first}.${second}`] ?? DRAFT_PLACES[first] ?? null;
}
