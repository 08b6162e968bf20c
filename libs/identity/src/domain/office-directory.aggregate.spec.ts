import { given } from '../../../../test/support/aggregate-spec.js';
import { DEPARTMENT_OFFICES } from '../offices/department-offices.seed.js';
import { bureauOf, officeDirectoryDefinition } from './office-directory.aggregate.js';

const added = (symbol: string, name: string) => ({ type: 'OfficeAdded' as const, data: { symbol, name, bureau: bureauOf(symbol) } });

describe('the office directory', () => {
  it('adds an office under a bureau it has, or one that comes with it', () => {
    given(officeDirectoryDefinition, 'directory', [added('EAP', 'Bureau of East Asian and Pacific Affairs')])
      .when((d) => d.add([{ symbol: 'EAP/PHL', name: 'Office of Philippine Affairs', bureau: 'EAP' }]))
      .then([added('EAP/PHL', 'Office of Philippine Affairs')]);
    given(officeDirectoryDefinition, 'directory', [])
      .when((d) => d.add([{ symbol: 'CDP/DE', name: 'Digital Economy', bureau: 'CDP' }, { symbol: 'CDP', name: 'Bureau of Cyberspace and Digital Policy', bureau: 'CDP' }]))
      .then([added('CDP/DE', 'Digital Economy'), added('CDP', 'Bureau of Cyberspace and Digital Policy')]);
  });

  it('refuses an office whose bureau is not in the directory: its overdue follow-ups would escalate to no front office', () => {
    given(officeDirectoryDefinition, 'directory', [added('EAP', 'Bureau of East Asian and Pacific Affairs')])
      .when((d) => d.add([{ symbol: 'ZZZ/ABC', name: 'Nowhere', bureau: 'ZZZ' }]))
      .thenFails('RULE_VIOLATED', /bureau ZZZ, which is not in the directory/);
  });

  it('seeds the Department with every office under a bureau it seeds', () => {
    given(officeDirectoryDefinition, 'directory', []).when((d) => d.add(DEPARTMENT_OFFICES)).then(DEPARTMENT_OFFICES.map((o) => ({ type: 'OfficeAdded', data: o })));
  });
});
