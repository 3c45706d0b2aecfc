#!/usr/bin/env python3
"""Deliberate one-line bugs (issue 15): each is inserted into the source, the named tests are run with Maven,
and the file is restored. Every bug must make at least one test fail ("rc 1"). Usage, from anywhere:
    python3 scripts/deliberate-bugs.py            # all bugs
    python3 scripts/deliberate-bugs.py NAME ...   # some of them
Takes about 20 s per bug (one Maven test run each). Never leaves a bug behind: the file is restored in a finally.
"""
import subprocess, sys, os
root=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
base=root+'/exemplar-core/src/main/java/org/exemplar/'
bugs=[
 ('ntk-ihvp-sign','ntk/NtkInfluence.java','hd[off + i] = gi * res * trainResidual[i];','hd[off + i] = -gi * res * trainResidual[i];','NtkInfluenceReferenceTest,NtkInfluenceTest'),
 ('ntk-topk-skip-first','ntk/IhvpErrorBound.java','for (int j = 0; j < k; j++) {','for (int j = 1; j < k; j++) {','NtkInfluenceReferenceTest,NtkInfluenceTest'),
 ('recall-skip-top','cf/NegativeSampling.java','for (int r = 0; r < Math.min(topK, ni); r++) {','for (int r = 1; r < Math.min(topK, ni); r++) {','NegativeSamplingFixtureTest,NegativeSamplingTest'),
 ('highdim-highest-first','cf/NegativeSampling.java','? -aggregated[neg[q]]','? aggregated[neg[q]]','NegativeSamplingFixtureTest,NegativeSamplingTest'),
 ('lissa-full-operator','influence/ModelCurvature.java','if (batchSize >= n) {','if (batchSize >= 0) {','IndependentReferenceTest'),
 ('smoothgrad-no-sigma','representer/SensitivityMaps.java','noisy[j] = testInput[j] + sigma * rnd.nextGaussian();','noisy[j] = testInput[j] + 0 * rnd.nextGaussian();','SmoothGradReferenceTest,SensitivityMapsTest'),
 ('ntk-ridge-doubled','ntk/NtkInfluence.java','m.add(i, i, lambda);','m.add(i, i, 2 * lambda);','NtkInfluenceReferenceTest#everyQuantityMatchesThePrimalBruteForce,NtkInfluenceTest#prop2IdentityHoldsExactly'),
 ('gn-l2-doubled','model/Mlp.java','return addScaled(concat(out, parameterCount()), l2, v);\n    }\n\n    private static double[] addScaled','return addScaled(concat(out, parameterCount()), 2 * l2, v);\n    }\n\n    private static double[] addScaled','IndependentReferenceTest,InfluenceFunctionsTest#mlpInfluenceWithCgAgreesWithExactOnTheGaussNewtonMatrix'),
 ('cholesky-logdet-half','linalg/Cholesky.java','return 2 * s;','return s;','LinalgValuesTest,BlasTest'),
 ('argmax-last-tie','linalg/Vectors.java','if (a[off + j] > a[off + best]) {','if (a[off + j] >= a[off + best]) {','LinalgValuesTest,BlasTest'),
 ('csr-rowdot-merge','linalg/CsrMatrix.java','            } else if (ca < cb) {\n                a++;','            } else if (ca < cb) {\n                b++;','LinalgValuesTest,BlasTest'),
 ('sha256-whole-buffer','io/Provenance.java','md.update(buf, 0, r);','md.update(buf, 0, buf.length);','ProvenanceAndJsonTest'),
 ('gray-truncate','report/Images.java','int g = (int) Math.round(255 * Math.max(0, Math.min(1, v)));','int g = (int) (255 * Math.max(0, Math.min(1, v)));','ReportRenderingTest'),
 ('kfac-query-no-rawfactor','attribution/KfacAttributor.java','double s = convention().rawFactor() / influence.trainSize();','double s = 1.0 / influence.trainSize();','KfacIndexTest'),
 ('index-inner-skip-last','index/InnerProductRows.java','for (int i = from; i < to; i++) {','for (int i = from; i < to - 1; i++) {','KfacIndexTest'),
 ('hdrep-keys-no-alpha','representer/HighDimRepresenter.java','alpha[i] * xSupport.values()[k]);','xSupport.values()[k]);','HdrepIndexTest'),
 ('cf-pair-item-from-user','index/ArtifactScorer.java','it[q] = id(fs[q], 1, items, "item");','it[q] = id(fs[q], 0, items, "item");','CfIndexTest'),
]
sel=sys.argv[1:] 
for name,f,old,new,tests in bugs:
    if sel and name not in sel: continue
    p=base+f
    s=open(p).read()
    assert s.count(old)==1,(name,s.count(old))
    open(p,'w').write(s.replace(old,new))
    try:
        r=subprocess.run(['mvn','-B','-ntp','-pl','exemplar-core','test','-Dtest='+tests,'-Dsurefire.failIfNoSpecifiedTests=false'],cwd=root,capture_output=True,text=True)
        out=r.stdout
        fails=[l for l in out.splitlines() if '<<< FAIL' in l and '.' in l and 'Tests run' not in l]
        summ=[l for l in out.splitlines() if l.startswith('[ERROR] Tests run:') or l.startswith('[INFO] Tests run:')]
        print(name, 'rc', r.returncode, summ[-1] if summ else '', flush=True)
        for l in fails: print('   ', l.replace('[ERROR] ',''), flush=True)
    finally:
        open(p,'w').write(s)
