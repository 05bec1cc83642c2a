import { expect } from 'chai';
import { didYouMean, editDistance } from '../../../config/did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the key one typo away, counting a swap of neighbours as one edit', () => {
    expect(editDistance('bacthSize', 'batchSize')).to.equal(1);
    expect(didYouMean('bacthSize', ['batchSize', 'concurrency'])).to.equal('batchSize');
    expect(didYouMean('BaseURL', ['baseUrl', 'clientId'])).to.equal('baseUrl');
  });

  it('suggests nothing when every candidate is far off', () => {
    expect(didYouMean('colour', ['port', 'host', 'readyLagSeconds'])).to.equal(undefined);
  });
});
