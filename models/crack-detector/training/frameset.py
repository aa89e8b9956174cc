"""The frame set that evalgen5.py to evalgen8.py write (and export_v3.py with evalgen4.py's render): NNNNN_<label>.jpg,
labels.csv and meta.csv."""
import argparse
import csv
import functools
import multiprocessing as mp
import os

META = ['file', 'label', 'kind', 'crack_width', 'screen', 'width', 'height', 'quality', 'nuisances']


def nuisances(names):
    """meta.csv's nuisances column: evalgen5.py to evalgen8.py give a list of names, evalgen4.py's render the joined text."""
    return names if isinstance(names, str) else '+'.join(names)


def _job(render, args):
    seed, i = args
    data, label, meta = render(seed, i)
    return i, data, label, meta


def write_set(render, out, count, seed, workers):
    """Frames 0..count-1 of render(seed, i) -> (jpeg bytes, label, meta), in order whatever the workers."""
    os.makedirs(out, exist_ok=True)
    jobs = [(seed, i) for i in range(count)]
    job = functools.partial(_job, render)
    pool = mp.get_context('fork').Pool(workers) if workers > 1 and count > 1 else None
    rows = []
    try:
        for i, data, label, meta in (pool.imap(job, jobs, chunksize=1) if pool else map(job, jobs)):
            name = '%05d_%s.jpg' % (i, label)
            with open(os.path.join(out, name), 'wb') as f:
                f.write(data)
            rows.append([name, label] + [meta[k] for k in META[2:-1]] + [nuisances(meta['nuisances'])])
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with open(os.path.join(out, 'labels.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(META[:2])
        w.writerows(r[:2] for r in rows)
    with open(os.path.join(out, 'meta.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(META)
        w.writerows(rows)


def main(render, description, workers=1, argv=None):
    """The command line of a generator that writes its sets here: --out DIR --count N --seed S [--workers W]."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--out', required=True)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--workers', type=int, default=workers)
    a = ap.parse_args(argv)
    write_set(render, a.out, a.count, a.seed, a.workers)
