//! Files of any dtype: a `.npy` or Zarr array opens as a [`DynArray`] of the dtype its header
//! names, and a [`DynArray`] writes a file of its own dtype. Each is one dispatch to the typed
//! reader or writer.

use std::path::Path;

use crate::array::DynArray;
use crate::chunks::{ChunkSpec, IntoChunks};
use crate::element::with_dtype;
use crate::error::Result;
use crate::execute::Target;

/// ## Files of any dtype
impl DynArray {
    /// The `.npy` file at `path` as a lazy array of the dtype it holds (see
    /// [`from_npy`](crate::from_npy)): the dtype is read from the header.
    ///
    /// ```
    /// use chunkwise::{DynArray, ReduceOptions};
    /// let dir = std::env::temp_dir().join(format!("cw-dyn-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// chunkwise::arange(1000).cast::<u16>().to_npy(dir.join("x.npy"))?;
    ///
    /// let x = DynArray::from_npy(dir.join("x.npy"))?; // a u16 file, not known in advance
    /// let s = x.sum_with(None, ReduceOptions::default())?;
    /// assert_eq!(s.item()?.to_f64(), 499_500.0);
    /// x.mul(2)?.to_npy(dir.join("y.npy"))?; // u16 * weak 2 stays u16
    /// assert_eq!(chunkwise::npy_info(dir.join("y.npy"))?.dtype, chunkwise::DType::U16);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn from_npy(path: impl AsRef<Path>) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(path: &Path) -> Result<DynArray> {
            DynArray::from_npy_chunked(path, ChunkSpec::Auto)
        }
        imp(path.as_ref())
    }

    /// [`from_npy`](Self::from_npy) with explicit chunks.
    pub fn from_npy_chunked(path: impl AsRef<Path>, chunks: impl IntoChunks) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(path: &Path, spec: ChunkSpec) -> Result<DynArray> {
            let dtype = super::npy::npy_info(path)?.dtype;
            Ok(with_dtype!(dtype, T => super::npy::from_npy_chunked::<T>(path, spec)?.into()))
        }
        imp(path.as_ref(), chunks.into_chunk_spec())
    }

    /// Writes the array to a `.npy` file of its dtype (see
    /// [`ChunkedArray::to_npy`](crate::ChunkedArray::to_npy)).
    pub fn to_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, path: &Path) -> Result<()> {
            with_dtype!(this.dtype(), T => this.clone().downcast::<T>()?.to_npy(path))
        }
        imp(self, path.as_ref())
    }

    /// The array as a [`Target`] of [`store`](crate::store), for a `.npy` file: arrays of
    /// several dtypes are written in one compute.
    pub fn npy_target(&self, path: impl AsRef<Path>) -> Result<Target> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, path: &Path) -> Result<Target> {
            with_dtype!(this.dtype(), T => this.clone().downcast::<T>()?.npy_target(path))
        }
        imp(self, path.as_ref())
    }

    /// The Zarr array at `path` as a lazy array of the dtype its metadata names (see
    /// [`from_zarr`](crate::from_zarr)).
    #[cfg(feature = "zarr")]
    pub fn from_zarr(path: impl AsRef<Path>) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(path: &Path) -> Result<DynArray> {
            let dtype = super::zarr::zarr_info(path)?.dtype;
            Ok(with_dtype!(dtype, T => super::zarr::from_zarr::<T>(path)?.into()))
        }
        imp(path.as_ref())
    }

    /// Writes the array as a Zarr store with the default options (see
    /// [`ChunkedArray::to_zarr`](crate::ChunkedArray::to_zarr)).
    #[cfg(feature = "zarr")]
    pub fn to_zarr(&self, path: impl AsRef<Path>) -> Result<()> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, path: &Path) -> Result<()> {
            with_dtype!(this.dtype(), T => this.clone().downcast::<T>()?.to_zarr(path))
        }
        imp(self, path.as_ref())
    }

    /// The array as a [`Target`] of [`store`](crate::store), for a Zarr store with the
    /// default options.
    #[cfg(feature = "zarr")]
    pub fn zarr_target(&self, path: impl AsRef<Path>) -> Result<Target> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, path: &Path) -> Result<Target> {
            with_dtype!(this.dtype(), T => {
                let opts = super::zarr::ZarrOptions::default();
                this.clone().downcast::<T>()?.zarr_target(path, &opts)
            })
        }
        imp(self, path.as_ref())
    }
}
