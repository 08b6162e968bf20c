import { bannerOf, highest, marking } from './classification.js';

describe('the banners of a screen', () => {
  it('say the highest classification on it, and every caption any record on it carries, in the captions\' order', () => {
    expect(bannerOf([])).toEqual({ classification: 'UNCLASSIFIED', text: 'UNCLASSIFIED' });
    expect(bannerOf([marking('CONFIDENTIAL', ['NOFORN'])])).toEqual({ classification: 'CONFIDENTIAL', text: 'CONFIDENTIAL//NOFORN' });
    expect(bannerOf([marking('UNCLASSIFIED', ['SIPDIS']), marking('TOP_SECRET', ['NOFORN']), 'SECRET', marking('SECRET', ['LIMDIS'])])).toEqual({ classification: 'TOP_SECRET', text: 'TOP SECRET//LIMDIS/NOFORN/SIPDIS' });
    // Combined by the captions' rules: one channel caption, the most restrictive, and no SIPDIS beside NODIS or EXDIS.
    expect(bannerOf([marking('UNCLASSIFIED', ['SIPDIS']), marking('TOP_SECRET', ['NOFORN']), marking('SECRET', ['NODIS']), marking('SECRET', ['EXDIS'])])).toEqual({ classification: 'TOP_SECRET', text: 'TOP SECRET//NODIS/NOFORN' });
    expect(bannerOf(['SBU', 'CONFIDENTIAL'])).toEqual({ classification: 'CONFIDENTIAL', text: 'CONFIDENTIAL' });
    // SBU is above UNCLASSIFIED on a screen, and its banner says so as the telegram's does.
    expect(bannerOf(['UNCLASSIFIED', 'SBU'])).toEqual({ classification: 'SBU', text: 'UNCLASSIFIED//SBU' });
    expect(bannerOf([marking('SBU', ['NOFORN']), 'UNCLASSIFIED'])).toEqual({ classification: 'SBU', text: 'UNCLASSIFIED//SBU//NOFORN' });
  });

  it('rank markings by their classification alone', () => {
    expect(highest([marking('CONFIDENTIAL', ['NOFORN']), 'SECRET'])).toBe('SECRET');
    expect(highest(['nonsense', marking('SECRET', ['EXDIS'])])).toBe('SECRET');
    expect(marking('SECRET')).toBe('SECRET');
  });
});
