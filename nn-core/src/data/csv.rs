//! CSV tables of numbers (`std` feature): the UCI/scikit-learn sets in
//! `data/`, raw or gzip. Every row is features followed by one target
//! (a class index or a real value). An optional scikit-learn header line
//! `rows,features,names...` declares the table's size, and is checked.
//!
//! ```
//! use nn_core::data::csv::{parse, Header};
//! let t = parse("2,2,a,b\n1,2,0\n3,4,1\n", Header::Counts)?;
//! assert_eq!((t.rows(), t.features), (2, 2));
//! assert_eq!((t.row(1), t.targets[1]), (&[3.0, 4.0][..], 1.0));
//! # Ok::<(), nn_core::data::csv::CsvError>(())
//! ```
use std::fmt;
use std::path::Path;
use std::string::String;
use std::vec::Vec;

/// Whether the first line is a scikit-learn size header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// `rows,features,names...`: skipped after checking it against the data.
    Counts,
    /// Every line is data.
    None,
}

/// Why a CSV file was refused. Lines are 1-based, columns 1-based.
///
/// ```
/// let err = nn_core::data::csv::parse("1,2\n3\n", nn_core::data::csv::Header::None).unwrap_err();
/// assert_eq!(err.to_string(), "line 2 has 1 fields, expected 2");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CsvError {
    /// The file could not be read (or its gzip stream is corrupt).
    Io(std::io::Error),
    /// The file is not UTF-8.
    NotText,
    /// No data rows.
    Empty,
    /// A row with a different number of fields than the first.
    Ragged {
        /// Line number.
        line: usize,
        /// Fields in the first data row.
        expected: usize,
        /// Fields on this line.
        found: usize,
    },
    /// A field that is not a finite number.
    NotNumeric {
        /// Line number.
        line: usize,
        /// Column number.
        column: usize,
        /// The field as written.
        field: String,
    },
    /// The header's declared size disagrees with the data (or is unreadable).
    HeaderMismatch {
        /// `(rows, features)` the header declares, if it could be read.
        declared: Option<(usize, usize)>,
        /// `(rows, features)` found.
        found: (usize, usize),
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::Io(e) => write!(f, "cannot read CSV file: {e}"),
            CsvError::NotText => write!(f, "CSV file is not UTF-8 text"),
            CsvError::Empty => write!(f, "CSV file has no data rows"),
            CsvError::Ragged {
                line,
                expected,
                found,
            } => {
                write!(f, "line {line} has {found} fields, expected {expected}")
            }
            CsvError::NotNumeric {
                line,
                column,
                field,
            } => {
                write!(
                    f,
                    "line {line}, column {column}: `{field}` is not a finite number"
                )
            }
            CsvError::HeaderMismatch {
                declared: Some((r, c)),
                found: (fr, fc),
            } => {
                write!(
                    f,
                    "header declares {r} rows of {c} features, data has {fr} rows of {fc}"
                )
            }
            CsvError::HeaderMismatch {
                declared: None,
                found: (fr, fc),
            } => {
                write!(
                    f,
                    "header does not start with `rows,features` (data has {fr} rows of {fc} features)"
                )
            }
        }
    }
}

impl std::error::Error for CsvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CsvError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// A table: `rows()` rows of `features` values, and one target per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Features per row.
    pub features: usize,
    /// All features, row-major.
    pub values: Vec<f32>,
    /// The last column of each row.
    pub targets: Vec<f32>,
}

impl Table {
    /// Number of rows.
    ///
    /// ```
    /// let t = nn_core::data::csv::parse("1,0\n", nn_core::data::csv::Header::None)?;
    /// assert_eq!(t.rows(), 1);
    /// # Ok::<(), nn_core::data::csv::CsvError>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.targets.len()
    }

    /// Every row's features as fixed-size arrays, or `None` if rows do not
    /// have `N` features.
    ///
    /// ```
    /// let t = nn_core::data::csv::parse("1,2,0\n3,4,1\n", nn_core::data::csv::Header::None)?;
    /// assert_eq!(t.rows_as::<2>(), Some(vec![[1.0, 2.0], [3.0, 4.0]]));
    /// assert_eq!(t.rows_as::<3>(), None);
    /// # Ok::<(), nn_core::data::csv::CsvError>(())
    /// ```
    pub fn rows_as<const N: usize>(&self) -> Option<Vec<[f32; N]>> {
        (N == self.features).then(|| self.values.as_chunks::<N>().0.to_vec())
    }

    /// Row `i`'s features.
    ///
    /// ```
    /// let t = nn_core::data::csv::parse("1,2,0\n", nn_core::data::csv::Header::None)?;
    /// assert_eq!(t.row(0), &[1.0, 2.0]);
    /// # Ok::<(), nn_core::data::csv::CsvError>(())
    /// ```
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.features..(i + 1) * self.features]
    }
}

fn number(field: &str, line: usize, column: usize) -> Result<f32, CsvError> {
    match field.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(CsvError::NotNumeric {
            line,
            column,
            field: field.into(),
        }),
    }
}

/// Parses CSV text.
///
/// ```
/// let err = nn_core::data::csv::parse("1,x\n", nn_core::data::csv::Header::None).unwrap_err();
/// assert!(matches!(err, nn_core::data::csv::CsvError::NotNumeric { line: 1, column: 2, .. }));
/// ```
pub fn parse(text: &str, header: Header) -> Result<Table, CsvError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let declared = match header {
        Header::None => None,
        Header::Counts => {
            let (_, first) = lines.next().ok_or(CsvError::Empty)?;
            let mut fields = first.split(',').map(|f| f.trim().parse::<usize>().ok());
            Some((fields.next().flatten(), fields.next().flatten()))
        }
    };
    let mut table = Table {
        features: 0,
        values: Vec::new(),
        targets: Vec::new(),
    };
    let mut width = None;
    for (index, line) in lines {
        let (line_no, fields): (usize, Vec<&str>) = (index + 1, line.split(',').collect());
        let expected = *width.get_or_insert(fields.len());
        if fields.len() != expected {
            return Err(CsvError::Ragged {
                line: line_no,
                expected,
                found: fields.len(),
            });
        }
        if expected < 2 {
            return Err(CsvError::Ragged {
                line: line_no,
                expected: 2,
                found: expected,
            });
        }
        for (column, field) in fields[..expected - 1].iter().enumerate() {
            table.values.push(number(field, line_no, column + 1)?);
        }
        table
            .targets
            .push(number(fields[expected - 1], line_no, expected)?);
    }
    let width = width.ok_or(CsvError::Empty)?;
    table.features = width - 1;
    let found = (table.rows(), table.features);
    match declared {
        Some((Some(r), Some(c))) if (r, c) == found => Ok(table),
        Some((Some(r), Some(c))) => Err(CsvError::HeaderMismatch {
            declared: Some((r, c)),
            found,
        }),
        Some(_) => Err(CsvError::HeaderMismatch {
            declared: None,
            found,
        }),
        None => Ok(table),
    }
}

/// Reads and parses a CSV file, raw or gzip-compressed.
///
/// ```no_run
/// use nn_core::data::csv::{load, Header};
/// let iris = load("data/iris.csv", Header::Counts)?;
/// assert_eq!((iris.rows(), iris.features), (150, 4));
/// # Ok::<(), nn_core::data::csv::CsvError>(())
/// ```
pub fn load(path: impl AsRef<Path>, header: Header) -> Result<Table, CsvError> {
    let bytes = super::read_maybe_gzip(path).map_err(CsvError::Io)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| CsvError::NotText)?;
    parse(text, header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;

    #[test]
    fn reads_a_headed_table_and_checks_its_counts() {
        let t = parse("3,2,a,b\n1,2,0\n3,4,1\n5,6,2\n", Header::Counts).unwrap();
        assert_eq!(
            (t.rows(), t.features, t.targets.as_slice()),
            (3, 2, &[0.0, 1.0, 2.0][..])
        );
        let err = parse("4,2,a\n1,2,0\n", Header::Counts).unwrap_err();
        assert!(
            matches!(
                err,
                CsvError::HeaderMismatch {
                    declared: Some((4, 2)),
                    found: (1, 2)
                }
            ),
            "{err}"
        );
        let err = parse("x,y\n1,2,0\n", Header::Counts).unwrap_err();
        assert!(matches!(
            err,
            CsvError::HeaderMismatch { declared: None, .. }
        ));
    }

    #[test]
    fn ragged_rows_are_refused_with_their_line() {
        let err = parse("1,2,0\n\n3,4\n", Header::None).unwrap_err();
        assert!(
            matches!(
                err,
                CsvError::Ragged {
                    line: 3,
                    expected: 3,
                    found: 2
                }
            ),
            "{err}"
        );
        assert!(matches!(
            parse("7\n", Header::None),
            Err(CsvError::Ragged {
                expected: 2,
                found: 1,
                ..
            })
        ));
    }

    #[test]
    fn non_numeric_and_non_finite_fields_are_refused() {
        let err = parse("1,2,0\n1,abc,0\n", Header::None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 2: `abc` is not a finite number"
        );
        assert!(matches!(
            parse("NaN,1\n", Header::None),
            Err(CsvError::NotNumeric { column: 1, .. })
        ));
        assert!(matches!(
            parse("1,inf\n", Header::None),
            Err(CsvError::NotNumeric { column: 2, .. })
        ));
    }

    #[test]
    fn empty_input_and_bad_bytes_are_refused() {
        assert!(matches!(parse("", Header::None), Err(CsvError::Empty)));
        assert!(matches!(
            parse("2,1,a\n", Header::Counts),
            Err(CsvError::Empty)
        ));
        let dir = std::env::temp_dir().join(format!("nn-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("binary.csv");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(load(&path, Header::None), Err(CsvError::NotText)));
        assert!(matches!(
            load(dir.join("missing.csv"), Header::None),
            Err(CsvError::Io(_))
        ));
    }

    #[test]
    fn loads_every_vendored_uci_set() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../data");
        for (file, header, rows, features) in [
            ("iris.csv", Header::Counts, 150, 4),
            ("wine_data.csv", Header::Counts, 178, 13),
            ("breast_cancer.csv", Header::Counts, 569, 30),
            ("diabetes.csv", Header::Counts, 442, 10),
            ("digits.csv.gz", Header::None, 1797, 64),
        ] {
            let t =
                load(format!("{root}/{file}"), header).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!((t.rows(), t.features), (rows, features), "{file}");
        }
    }
}
