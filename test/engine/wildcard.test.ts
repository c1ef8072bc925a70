import { describe, expect, it } from 'vitest';
import { matchesParts, matchesWildcard } from '../../src/model/wildcard.js';

describe('wildcard matching without regular expressions', () => {
  it('matches IAM wildcards as IAM does: * any run, ? one character, any case', () => {
    expect(matchesWildcard('s3:Get*', 's3:GetObject')).toBe(true);
    expect(matchesWildcard('s3:get*acl', 's3:GetObjectAcl')).toBe(true);
    expect(matchesWildcard('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(matchesWildcard('s3:Get?bject', 's3:GetObjects')).toBe(false);
    expect(matchesWildcard('s3:*Object*', 's3:PutObjectTagging')).toBe(true);
    expect(matchesWildcard('s3:*Object', 's3:PutObjectTagging')).toBe(false);
    expect(matchesWildcard('*', '')).toBe(true);
    expect(matchesWildcard('s3:a*a', 's3:a')).toBe(false);
    expect(matchesWildcard('s3:GetObject', 's3:getobject')).toBe(true);
    expect(matchesWildcard('s3:Get.bject', 's3:GetObject')).toBe(false);
  });

  it('answers a pattern that backtracks exponentially as a regular expression', () => {
    const name = `s3:${'a'.repeat(5000)}`;
    expect(matchesWildcard(`s3:${'*a'.repeat(2000)}!`, name)).toBe(false);
    expect(matchesWildcard('s3:**********!', name)).toBe(false);
    expect(matchesWildcard(`s3:${'*a'.repeat(2000)}`, name)).toBe(true);
  });

  it('matches literal parts in order, with gaps of anything between them', () => {
    expect(matchesParts(['Name: ', '-', ''], 'Name: prod-bucket')).toBe(true);
    expect(matchesParts(['Name: ', '-', ''], 'Name: prodbucket')).toBe(false);
    expect(matchesParts(['a.b'], 'a.b')).toBe(true);
    expect(matchesParts(['a?b'], 'axb')).toBe(false);
  });
});
