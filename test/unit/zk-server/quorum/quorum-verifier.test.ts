import { QuorumVerifier } from '../../../../zk-server/src/quorum/core/quorum-verifier';

const ensemble = (voters: number[], observers: number[] = []): QuorumVerifier =>
  new QuorumVerifier([...voters.map((id) => ({ id, role: 'participant' as const })), ...observers.map((id) => ({ id, role: 'observer' as const }))]);

describe('QuorumVerifier', () => {
  it('needs more than half of the voters', () => {
    expect(ensemble([1, 2, 3]).quorumSize).toBe(2);
    expect(ensemble([1, 2, 3, 4]).quorumSize).toBe(3);
    expect(ensemble([1, 2, 3, 4, 5]).quorumSize).toBe(3);
    expect(ensemble([7]).quorumSize).toBe(1);
  });

  it('counts a set as a quorum only with a majority of voters', () => {
    const qv = ensemble([1, 2, 3, 4, 5]);
    expect(qv.containsQuorum([1, 2])).toBe(false);
    expect(qv.containsQuorum([1, 2, 5])).toBe(true);
    expect(qv.containsQuorum(new Set([3, 4, 5]))).toBe(true);
  });

  it('never counts observers, unknown ids or duplicates', () => {
    const qv = ensemble([1, 2, 3], [4, 5]);
    expect(qv.containsQuorum([1, 4, 5])).toBe(false);
    expect(qv.containsQuorum([1, 1, 9])).toBe(false);
    expect(qv.containsQuorum([1, 4, 3])).toBe(true);
    expect(qv.isVoter(4)).toBe(false);
    expect(qv.isMember(4)).toBe(true);
    expect(qv.isMember(9)).toBe(false);
  });

  it('lists voters before observers', () => {
    expect(ensemble([3, 1, 2], [5, 4]).members).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses an ensemble without voters or with a repeated id', () => {
    expect(() => ensemble([], [1])).toThrow(/voting member/);
    expect(() => ensemble([1, 1])).toThrow(/unique/);
  });
});
