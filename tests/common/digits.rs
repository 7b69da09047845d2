//! The vendored UCI 8×8 digits for tests: pixels scaled to [0, 1], labels,
//! and a seeded 80/20 split into training and test rows.
use nn::data::batch::split;
use nn::data::csv::{Header, load};
use nn::rand::SeedableRng;
use nn::rng::TrainRng;

pub struct DigitsData {
    pub x: Vec<[f32; 64]>,
    pub y: Vec<usize>,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Loads the digits and splits them with a generator seeded with `seed`.
pub fn load_digits(seed: u64) -> DigitsData {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz"),
        Header::None,
    )
    .unwrap();
    let mut x: Vec<[f32; 64]> = table.rows_as().unwrap();
    x.iter_mut().flatten().for_each(|v| *v /= 16.0);
    let y = table.targets.iter().map(|&t| t as usize).collect();
    let mut order = vec![0usize; x.len()];
    let (train, _, test) = split(&mut order, 0.8, 0.0, &mut TrainRng::seed_from_u64(seed));
    let (train, test) = (train.to_vec(), test.to_vec());
    DigitsData { x, y, train, test }
}
