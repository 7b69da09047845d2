//! A model summary, as Keras' `model.summary()` and torchinfo print one:
//! one row per layer with its name, type, output shape, parameter count and
//! receptive field, then the totals. `network!` builds each network's table
//! at compile time (`Name::SUMMARY`, `Name::summary()`).
//!
//! ```
//! use nn_core::summary::{LayerSummary, ReceptiveField, Summary};
//! const LAYERS: &[LayerSummary] = &[
//!     LayerSummary { name: "conv0", layer: "Conv2d<1, 4, 3>", output: &[4, 6, 6], params: 40,
//!                    receptive_field: ReceptiveField::INPUT.window([3, 3], [1, 1], 1) },
//! ];
//! let s = Summary { network: "Tiny", input: &[1, 8, 8], layers: LAYERS, model_bytes: 160, infer_ram_bytes: 144, train_state_bytes: None };
//! assert_eq!(s.params(), 40);
//! let text = s.to_string();
//! assert!(text.contains("conv0") && text.contains("4×6×6") && text.contains("3×3"));
//! ```
use core::fmt;

pub use nn_shape::ReceptiveField;

/// One row of a [`Summary`]: a layer (or a residual join) of a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSummary {
    /// The field the layer is stored in (`conv2d0`, or the name given).
    pub name: &'static str,
    /// The layer as written in `network!` (`"Conv2d<1, 8, 5>"`).
    pub layer: &'static str,
    /// The shape of one output sample (`[C, H, W]`, `[C, L]` or `[N]`).
    pub output: &'static [usize],
    /// Trainable parameters (weights and biases).
    pub params: usize,
    /// The window of network input that one of its outputs sees.
    pub receptive_field: ReceptiveField,
}

/// A network's layer table and totals; `Display` prints it as a table.
///
/// ```
/// use nn_core::summary::Summary;
/// let empty = Summary { network: "Empty", input: &[3], layers: &[], model_bytes: 0, infer_ram_bytes: 0, train_state_bytes: None };
/// assert!(empty.to_string().starts_with("Empty: 3 →"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The network's name.
    pub network: &'static str,
    /// The shape of one input sample.
    pub input: &'static [usize],
    /// Every layer (and residual join), in forward order.
    pub layers: &'static [LayerSummary],
    /// Bytes of the model (`MODEL_BYTES`): parameters and layer settings.
    pub model_bytes: usize,
    /// Bytes of inference activations (`INFER_RAM_BYTES`).
    pub infer_ram_bytes: usize,
    /// Bytes of a trainer's whole state (`TRAIN_STATE_BYTES`: model,
    /// gradients, optimizer state, activations and workspace for its batch
    /// size), in a trainer's summary.
    pub train_state_bytes: Option<usize>,
}

impl Summary {
    /// Trainable parameters of every layer together.
    ///
    /// ```
    /// use nn_core::summary::Summary;
    /// let s = Summary { network: "N", input: &[1], layers: &[], model_bytes: 0, infer_ram_bytes: 0, train_state_bytes: None };
    /// assert_eq!(s.params(), 0);
    /// ```
    pub fn params(&self) -> usize {
        self.layers.iter().map(|l| l.params).sum()
    }
}

/// A shape as `4×6×6`.
struct Shape(&'static [usize]);

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("×")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// A receptive field in the input's terms: `h×w` over images, `w` over
/// sequences and vectors.
struct Field(ReceptiveField, usize);

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (ReceptiveField::Window { size: [h, w], .. }, 3) => write!(f, "{h}×{w}"),
            (ReceptiveField::Window { size: [_, w], .. }, _) => write!(f, "{w}"),
            (ReceptiveField::Whole, _) => f.write_str("all"),
            (ReceptiveField::Unknown, _) => f.write_str("?"),
        }
    }
}

/// A count with thousands separators.
struct Count(usize);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut divisor, n) = (1usize, self.0);
        while n / divisor >= 1000 {
            divisor *= 1000;
        }
        write!(f, "{}", n / divisor)?;
        while divisor > 1 {
            divisor /= 1000;
            write!(f, ",{:03}", n / divisor % 1000)?;
        }
        Ok(())
    }
}

/// Writes `value` left-aligned in `columns` characters.
fn cell(f: &mut fmt::Formatter<'_>, value: impl fmt::Display, columns: usize) -> fmt::Result {
    let used = width(&value);
    write!(f, "{value}")?;
    (used..columns).try_for_each(|_| f.write_str(" "))
}

/// Counts the characters written to it.
struct CharCount(usize);

impl fmt::Write for CharCount {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

/// Width of `value` when displayed.
fn width(value: impl fmt::Display) -> usize {
    let mut counter = CharCount(0);
    let _ = fmt::write(&mut counter, format_args!("{value}"));
    counter.0
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rank = self.input.len();
        let output = self.layers.last().map_or(self.input, |l| l.output);
        writeln!(
            f,
            "{}: {} → {}",
            self.network,
            Shape(self.input),
            Shape(output)
        )?;
        let heads = ["layer", "type", "output", "parameters", "receptive field"];
        let mut widths = heads.map(str::len);
        for l in self.layers {
            let row = [
                width(l.name),
                width(l.layer),
                width(Shape(l.output)),
                width(Count(l.params)),
                width(Field(l.receptive_field, rank)),
            ];
            widths
                .iter_mut()
                .zip(row)
                .for_each(|(w, r)| *w = (*w).max(r));
        }
        for (head, w) in heads.iter().zip(widths).take(heads.len() - 1) {
            cell(f, head, w + 2)?;
        }
        writeln!(f, "{}", heads[heads.len() - 1])?;
        for l in self.layers {
            cell(f, l.name, widths[0] + 2)?;
            cell(f, l.layer, widths[1] + 2)?;
            cell(f, Shape(l.output), widths[2] + 2)?;
            cell(f, Count(l.params), widths[3] + 2)?;
            writeln!(f, "{}", Field(l.receptive_field, rank))?;
        }
        write!(
            f,
            "{} parameters; model {} B, inference activations {} B",
            Count(self.params()),
            Count(self.model_bytes),
            Count(self.infer_ram_bytes)
        )?;
        match self.train_state_bytes {
            Some(bytes) => write!(f, ", training state {} B", Count(bytes)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn counts_take_thousands_separators() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (101_770, "101,770"),
            (1_000_001, "1,000,001"),
        ] {
            assert_eq!(Count(n).to_string(), text);
        }
    }

    #[test]
    fn the_table_aligns_its_columns() {
        const LAYERS: &[LayerSummary] = &[
            LayerSummary {
                name: "linear0",
                layer: "Linear<784, 128>",
                output: &[128],
                params: 100_480,
                receptive_field: ReceptiveField::Whole,
            },
            LayerSummary {
                name: "relu1",
                layer: "ReLU",
                output: &[128],
                params: 0,
                receptive_field: ReceptiveField::Whole,
            },
        ];
        let s = Summary {
            network: "Mlp",
            input: &[784],
            layers: LAYERS,
            model_bytes: 401_920,
            infer_ram_bytes: 1024,
            train_state_bytes: Some(2_000_000),
        };
        let text = s.to_string();
        let lines: std::vec::Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Mlp: 784 → 128");
        assert_eq!(lines[2].find("Linear"), lines[3].find("ReLU"), "{text}");
        assert_eq!(lines[2].find("100,480"), lines[3].find("0 "), "{text}");
        assert!(
            lines[2].ends_with("all") && lines[4].starts_with("100,480 parameters"),
            "{text}"
        );
    }
}
