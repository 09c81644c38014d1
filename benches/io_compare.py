"""chunkwise against Dask on arrays on disk, interleaved in one run (BENCHMARKS.md's .npy and Zarr tables).

    cargo build --release --example out_of_core
    /tmp/peers-venv/bin/python ../shared/peers/io_peers.py --dir /tmp/io --n 2.5e8   # makes x.npy, x.zarr
    cargo run --release --example out_of_core -- --write /tmp/io/cw.zarr --n 2.5e8    # 4 MiB chunks
    /tmp/peers-venv/bin/python benches/io_compare.py [ROUNDS] [DIR]

Prints, per case, the median seconds of ROUNDS runs (default 3), every run, the peak RSS and the
result. The peers run through io_peers.py's child (a fresh process per run, VmHWM).
"""
import os, sys, json, subprocess, statistics
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'shared', 'peers'))
import io_peers
P = sys.argv[2] if len(sys.argv) > 2 else '/tmp/io'; N = 250000000
EXE = os.path.join(HERE, '..', 'target', 'release', 'examples', 'out_of_core')
def rust(args):
    out=subprocess.run([EXE]+args,capture_output=True,text=True).stdout
    d=dict(l.split(': ',1) for l in out.strip().splitlines())
    return float(d['seconds']), float(d['peak_rss_mib']), d.get('result',''), d.get('read_bytes_per_array_byte','')
def rust_env(args):
    import os
    env=dict(os.environ, MALLOC_MMAP_THRESHOLD_='134217728', MALLOC_TRIM_THRESHOLD_='268435456')
    out=subprocess.run([EXE]+args,capture_output=True,text=True,env=env).stdout
    d=dict(l.split(': ',1) for l in out.strip().splitlines())
    return float(d['seconds']), float(d['peak_rss_mib']), d.get('result',''), d.get('read_bytes_per_array_byte','')
def dask(code):
    d=io_peers.child(code,P,N); return d['seconds'], d['peak_rss_mib'], d.get('result',''), ''
cases={
 'cw npy sum': lambda: rust(['--read',P+'/x.npy','--op','sum']),
 'pread_sum': lambda: rust(['--read',P+'/x.npy','--op','pread_sum']),
 'cw npy mean_std': lambda: rust(['--read',P+'/x.npy','--op','mean_std']),
 'cw zarr32 sum': lambda: rust(['--read',P+'/x.zarr','--op','sum']),
 'dask zarr32 sum': lambda: dask("import dask.array as da; r = float(da.from_zarr(P + '/x.zarr').sum().compute())"),
 'cw zarr4 sum': lambda: rust(['--read',P+'/cw.zarr','--op','sum']),
 'dask zarr4 sum': lambda: dask("import dask.array as da; r = float(da.from_zarr(P + '/cw.zarr').sum().compute())"),
 'cw zarr32 mean_std': lambda: rust(['--read',P+'/x.zarr','--op','mean_std']),
 'dask zarr32 mean_std': lambda: dask(io_peers.CASES['dask_zarr_mean_std']),
 'cw to_zarr 4MiB chunks': lambda: rust(['--write',P+'/w_cw4.zarr','--n','2.5e8']),
 'cw zarr32 sum tuned malloc': lambda: rust_env(['--read',P+'/x.zarr','--op','sum']),
 'cw to_zarr': lambda: rust(['--write',P+'/w_cw.zarr','--n','2.5e8','--chunk','4194304']),
 'dask to_zarr': lambda: dask(io_peers.CASES['dask_to_zarr']),
}
res={}
R=int(sys.argv[1]) if len(sys.argv)>1 else 3
for r in range(R):
    for k,f in cases.items():
        res.setdefault(k,[]).append(f())
for k,v in res.items():
    print(f"{k:24s} median {statistics.median(x[0] for x in v):6.3f} s  all {[round(x[0],2) for x in v]}  peak_rss {max(x[1] for x in v):7.1f} MiB  read/byte {v[-1][3]}  result {str(v[-1][2])[:60]}")
