//! The course's classic models on real data: linear regression on the
//! diabetes set, by the normal equations and by gradient descent through
//! `network!`, must agree.
use nn::data::batch::{Standardizer, split};
use nn::data::csv::{Header, load};
use nn::linalg::normal_equations;
use nn::metrics::r2;
use nn::optim::{EvolutionStrategy, Lbfgs, LeastSquares, LineSearchGd, Objective, SecondOrder};
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    Regression = < Linear<10, 1> >
}

const TRAIN: usize = 353;

#[test]
fn normal_equations_and_gradient_descent_agree_on_diabetes() {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv"),
        Header::Counts,
    )
    .unwrap();
    let rows: Vec<[f32; 10]> = table.rows_as().unwrap();
    let mut order = vec![0usize; rows.len()];
    let (train, _, test) = split(
        &mut order,
        TRAIN as f32 / rows.len() as f32,
        0.0,
        &mut TrainRng::seed_from_u64(1),
    );
    assert_eq!(train.len(), TRAIN);
    let mut x: Vec<[f32; 10]> = train.iter().map(|&i| rows[i]).collect();
    let y: Vec<f32> = train.iter().map(|&i| table.targets[i]).collect();
    let mut x_test: Vec<[f32; 10]> = test.iter().map(|&i| rows[i]).collect();
    let y_test: Vec<f32> = test.iter().map(|&i| table.targets[i]).collect();
    let scaler = Standardizer::fit(&x);
    scaler.apply(&mut x);
    scaler.apply(&mut x_test);

    let (mut gram, mut theta) = (vec![0.0f64; 121], vec![0.0f64; 11]);
    normal_equations(&x, &y, &mut gram, &mut theta).unwrap();

    let mut t = RegressionTrainer::<Momentum, TRAIN>::new_boxed(
        Init::XavierUniform,
        Momentum::nesterov(0.05),
        1,
    );
    let xb: Box<[[f32; 10]; TRAIN]> = x.clone().into_boxed_slice().try_into().unwrap();
    let yb: Box<[[f32; 1]; TRAIN]> = y
        .iter()
        .map(|&v| [v])
        .collect::<Vec<_>>()
        .into_boxed_slice()
        .try_into()
        .unwrap();
    for _ in 0..20_000 {
        t.train_step(&xb, &yb, &Mse);
    }
    let fc = t.model.linear0;
    let gd: Vec<f64> = fc
        .weight
        .iter()
        .map(|w| w[0] as f64)
        .chain([fc.bias[0] as f64])
        .collect();
    for (j, (a, b)) in theta.iter().zip(&gd).enumerate() {
        assert!(
            (a - b).abs() < 1e-2 * (1.0 + a.abs()),
            "coefficient {j}: normal equations {a}, gradient descent {b}"
        );
    }
    let predictions: Vec<f32> = x_test.iter().map(|x| t.model.forward(x)[0]).collect();
    let score = r2(&predictions, &y_test);
    eprintln!("linear regression, diabetes: test R² {score:.3}");
    assert!(score > 0.25, "test R² {score}");
}

/// A seeded 80/20 split of a vendored UCI table, standardized on the
/// training rows: `(train rows, train classes, test rows, test classes)`.
type Split<const N: usize, const B: usize> =
    (Box<[[f32; N]; B]>, [usize; B], Vec<[f32; N]>, Vec<usize>);

fn classification_split<const N: usize, const B: usize>(file: &str) -> Split<N, B> {
    let table = load(
        format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR")),
        Header::Counts,
    )
    .unwrap();
    let rows: Vec<[f32; N]> = table.rows_as().unwrap();
    let classes: Vec<usize> = table.targets.iter().map(|&t| t as usize).collect();
    let mut order = vec![0usize; rows.len()];
    let (train, _, test) = split(
        &mut order,
        B as f32 / rows.len() as f32 + 1e-4,
        0.0,
        &mut TrainRng::seed_from_u64(2),
    );
    assert_eq!(train.len(), B, "{file}");
    let mut x: Vec<[f32; N]> = train.iter().map(|&i| rows[i]).collect();
    let mut x_test: Vec<[f32; N]> = test.iter().map(|&i| rows[i]).collect();
    let scaler = Standardizer::fit(&x);
    scaler.apply(&mut x);
    scaler.apply(&mut x_test);
    let y: [usize; B] = std::array::from_fn(|k| classes[train[k]]);
    (
        x.into_boxed_slice().try_into().unwrap(),
        y,
        x_test,
        test.iter().map(|&i| classes[i]).collect(),
    )
}

network! { Logistic = < Linear<30, 1>, Sigmoid > }
network! { IrisSoftmax = < Linear<4, 3>, Softmax > }
network! { WineSoftmax = < Linear<13, 3>, Softmax > }

#[test]
fn logistic_regression_separates_breast_cancer() {
    let (x, y, x_test, y_test) = classification_split::<30, 455>("breast_cancer.csv");
    let targets: [[f32; 1]; 455] = y.map(|c| [c as f32]);
    let mut t = LogisticTrainer::<Sgd, 455>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..1000 {
        t.train_step(&x, &targets, &Bce);
    }
    let predicted: Vec<usize> = x_test
        .iter()
        .map(|x| (t.model.forward(x)[0] > 0.5) as usize)
        .collect();
    let acc = nn::metrics::accuracy(&predicted, &y_test);
    eprintln!(
        "logistic regression, breast cancer: test accuracy {:.2}%",
        100.0 * acc
    );
    assert!(acc > 0.93, "breast cancer test accuracy {acc}");
}

#[test]
fn softmax_regression_classifies_iris_and_wine() {
    let (x, y, x_test, y_test) = classification_split::<4, 120>("iris.csv");
    let mut t = IrisSoftmaxTrainer::<Sgd, 120>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..1000 {
        t.train_step(&x, &y, &CrossEntropy);
    }
    let predicted: Vec<usize> = x_test.iter().map(|x| t.model.predict(x)).collect();
    let iris = nn::metrics::accuracy(&predicted, &y_test);

    let (x, y, x_test, y_test) = classification_split::<13, 142>("wine_data.csv");
    let mut t = WineSoftmaxTrainer::<Sgd, 142>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..1000 {
        t.train_step(&x, &y, &CrossEntropy);
    }
    let predicted: Vec<usize> = x_test.iter().map(|x| t.model.predict(x)).collect();
    let wine = nn::metrics::accuracy(&predicted, &y_test);
    eprintln!(
        "softmax regression: iris {:.2}%, wine {:.2}% test accuracy",
        100.0 * iris,
        100.0 * wine
    );
    assert!(
        iris > 0.9 && wine > 0.9,
        "test accuracy: iris {iris}, wine {wine}"
    );
}

network! { Adaline = < Linear<4, 1> > }

/// ADALINE (Widrow–Hoff): a linear unit trained sample by sample on the
/// squared error against ±1 targets (the delta rule is SGD at batch 1 on
/// MSE), classifying by the output's sign. Setosa vs the rest is linearly
/// separable, and ADALINE finds a separating plane.
#[test]
fn adaline_separates_setosa_from_the_rest() {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"),
        Header::Counts,
    )
    .unwrap();
    let mut rows: Vec<[f32; 4]> = table.rows_as().unwrap();
    let targets: Vec<f32> = table
        .targets
        .iter()
        .map(|&c| if c == 0.0 { 1.0 } else { -1.0 })
        .collect();
    Standardizer::fit(&rows).apply(&mut rows);
    let mut t = AdalineTrainer::<Sgd, 1>::new_boxed(Init::XavierUniform, Sgd::new(0.01), 5);
    let mut order = vec![0usize; rows.len()];
    let mut epochs = nn::data::batch::Epochs::new(&mut order).drop_last();
    let rng = &mut TrainRng::seed_from_u64(6);
    let (mut x, mut y) = ([[0.0f32; 4]; 1], [[0.0f32; 1]; 1]);
    let target_rows: Vec<[f32; 1]> = targets.iter().map(|&v| [v]).collect();
    for _ in 0..20 {
        epochs.shuffle(rng);
        for k in 0..epochs.batches(1) {
            epochs.gather(k, &rows, &target_rows, &mut x, &mut y);
            t.train_step(&x, &y, &Mse);
        }
    }
    let errors = rows
        .iter()
        .zip(&targets)
        .filter(|(x, y)| (t.model.forward(x)[0] > 0.0) != (**y > 0.0))
        .count();
    assert_eq!(
        errors, 0,
        "ADALINE misclassifies {errors} of 150 training rows"
    );
}

/// Iris features standardized, and ±1 targets for setosa vs the rest.
fn setosa_vs_rest() -> (Vec<[f32; 4]>, Vec<[f32; 1]>) {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"),
        Header::Counts,
    )
    .unwrap();
    let mut rows: Vec<[f32; 4]> = table.rows_as().unwrap();
    Standardizer::fit(&rows).apply(&mut rows);
    let targets = table
        .targets
        .iter()
        .map(|&c| [if c == 0.0 { 1.0 } else { -1.0 }])
        .collect();
    (rows, targets)
}

network! { PerceptronUnit = < Linear<4, 1> > }

/// Rosenblatt's perceptron: a linear unit followed by a Heaviside step,
/// trained by the perceptron rule (batch-1 SGD on the perceptron criterion),
/// reaches zero training errors on the separable setosa-vs-rest task and
/// then stops changing (no mistakes, no updates).
#[test]
fn perceptron_separates_setosa_and_converges() {
    let (rows, targets) = setosa_vs_rest();
    let mut t = PerceptronUnitTrainer::<Sgd, 1>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 3);
    let mut order = vec![0usize; rows.len()];
    let mut epochs = nn::data::batch::Epochs::new(&mut order).drop_last();
    let rng = &mut TrainRng::seed_from_u64(4);
    let (mut x, mut y) = ([[0.0f32; 4]; 1], [[0.0f32; 1]; 1]);
    let mistakes = |t: &PerceptronUnitTrainer<Sgd, 1>| {
        let step = |x: &[f32; 4]| BinaryStep.forward(&t.model.forward(x))[0];
        rows.iter()
            .zip(&targets)
            .filter(|(x, y)| (step(x) == 1.0) != (y[0] > 0.0))
            .count()
    };
    let mut epochs_run = 0;
    while mistakes(&t) > 0 && epochs_run < 100 {
        epochs.shuffle(rng);
        for k in 0..epochs.batches(1) {
            epochs.gather(k, &rows, &targets, &mut x, &mut y);
            t.train_step(&x, &y, &nn::loss::Perceptron);
        }
        epochs_run += 1;
    }
    assert_eq!(mistakes(&t), 0, "after {epochs_run} epochs");
    let converged = t.model.clone();
    for k in 0..epochs.batches(1) {
        epochs.gather(k, &rows, &targets, &mut x, &mut y);
        t.train_step(&x, &y, &nn::loss::Perceptron);
    }
    assert_eq!(
        t.model, converged,
        "a separating perceptron makes no more updates"
    );
}

/// ADALINE's normalized (unit-norm) delta rule, NLMS: the step is divided
/// by the squared norm of the input (bias input 1 included), so each update
/// moves the output a fixed fraction μ of the way to the target. It also
/// separates setosa with no training errors.
#[test]
fn normalized_adaline_separates_setosa() {
    let (rows, targets) = setosa_vs_rest();
    let mu = 0.1;
    let mut t = AdalineTrainer::<Sgd, 1>::new_boxed(Init::XavierUniform, Sgd::new(mu), 5);
    let mut order = vec![0usize; rows.len()];
    let mut epochs = nn::data::batch::Epochs::new(&mut order).drop_last();
    let rng = &mut TrainRng::seed_from_u64(6);
    let (mut x, mut y) = ([[0.0f32; 4]; 1], [[0.0f32; 1]; 1]);
    for _ in 0..20 {
        epochs.shuffle(rng);
        for k in 0..epochs.batches(1) {
            epochs.gather(k, &rows, &targets, &mut x, &mut y);
            let norm2 = 1.0 + x[0].iter().map(|v| v * v).sum::<f32>();
            // Mse's gradient is 2(z − t), so this is w += μ (t − z) x̃ / ‖x̃‖².
            t.optimizer.set_lr(mu / (2.0 * norm2));
            let before = t.model.forward(&x[0])[0];
            t.train_step(&x, &y, &Mse);
            let after = t.model.forward(&x[0])[0];
            let moved = (after - before) / (y[0][0] - before);
            assert!(
                (moved - mu).abs() < 1e-3,
                "NLMS moves the output by μ of the error: {moved}"
            );
        }
    }
    let errors = rows
        .iter()
        .zip(&targets)
        .filter(|(x, y)| (t.model.forward(x)[0] > 0.0) != (y[0] > 0.0))
        .count();
    assert_eq!(
        errors, 0,
        "normalized ADALINE misclassifies {errors} of 150"
    );
}

/// The full-batch mean loss of a logistic-regression trainer as a function
/// of its flat parameter vector.
struct FullBatch<'a> {
    trainer: &'a mut LogisticTrainer<Sgd, 455>,
    x: &'a [[f32; 30]; 455],
    y: &'a [[f32; 1]; 455],
}

impl Objective<31> for FullBatch<'_> {
    fn loss_grad(&mut self, theta: &[f32; 31], grad: &mut [f32; 31]) -> f64 {
        self.trainer.model.params_from_slice(theta);
        self.trainer.gradient(self.x, self.y, &Bce, grad) as f64
    }
}

fn logistic_accuracy(model: &Logistic, x: &[[f32; 30]], y: &[usize]) -> f32 {
    let predicted: Vec<usize> = x
        .iter()
        .map(|x| (model.forward(x)[0] > 0.5) as usize)
        .collect();
    nn::metrics::accuracy(&predicted, y)
}

/// Newton's method (IRLS, for this loss) and L-BFGS fit the breast-cancer
/// logistic regression in a handful of full-batch steps, each step lowering
/// the loss, to what 1000 steps of gradient descent reach.
#[test]
fn newton_and_lbfgs_fit_breast_cancer_in_few_steps() {
    let (x, y, x_test, y_test) = classification_split::<30, 455>("breast_cancer.csv");
    let targets: Box<[[f32; 1]; 455]> = Box::new(y.map(|c| [c as f32]));
    let mut gd = LogisticTrainer::<Sgd, 455>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..1000 {
        gd.train_step(&x, &targets, &Bce);
    }
    let gd_loss = gd.eval_loss(&x, &targets, &Bce) as f64;

    let mut trainer = LogisticTrainer::<Sgd, 455>::new_boxed(Init::XavierUniform, Sgd::new(0.0), 3);
    let mut start = [0.0f32; 31];
    trainer.model.params_to_slice(&mut start);
    let mut objective = FullBatch {
        trainer: &mut trainer,
        x: &x,
        y: &targets,
    };

    let (mut theta, mut newton) = (start, SecondOrder::<31>::newton());
    newton.hessian_step = 1e-2;
    for step in 0..8 {
        let r = newton.newton_step(&mut theta, &mut objective).unwrap();
        assert!(
            r.accepted && r.loss_after < r.loss_before,
            "Newton step {step}: {r:?}"
        );
    }
    let newton_loss = objective.loss(&theta);
    objective.trainer.model.params_from_slice(&theta);
    let newton_acc = logistic_accuracy(&objective.trainer.model, &x_test, &y_test);

    let (mut theta, mut lbfgs) = (start, Lbfgs::<31, 8>::new());
    for _ in 0..40 {
        lbfgs.step(&mut theta, &mut objective);
    }
    let lbfgs_loss = objective.loss(&theta);
    objective.trainer.model.params_from_slice(&theta);
    let lbfgs_acc = logistic_accuracy(&objective.trainer.model, &x_test, &y_test);
    // Gradient descent with an Armijo line search instead of a fixed rate:
    // every step lowers the loss, and 100 of them beat 100 fixed-rate ones.
    let (mut theta, mut searched) = (start, LineSearchGd::<31>::new());
    for step in 0..100 {
        let r = searched.step(&mut theta, &mut objective);
        assert!(
            r.accepted && r.loss_after < r.loss_before,
            "line search step {step}: {r:?}"
        );
    }
    let searched_loss = objective.loss(&theta);
    let mut gd100 = LogisticTrainer::<Sgd, 455>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..100 {
        gd100.train_step(&x, &targets, &Bce);
    }
    let gd100_loss = gd100.eval_loss(&x, &targets, &Bce) as f64;
    assert!(
        searched_loss < gd100_loss,
        "{searched_loss} vs {gd100_loss}"
    );
    eprintln!(
        "breast cancer, full-batch loss: GD×100 {gd100_loss:.4}, line-search GD×100 {searched_loss:.4}, GD×1000 {gd_loss:.4}, Newton×8 {newton_loss:.4} ({:.2}% test), L-BFGS×40 {lbfgs_loss:.4} ({:.2}% test)",
        100.0 * newton_acc,
        100.0 * lbfgs_acc
    );
    assert!(newton_loss < gd_loss && lbfgs_loss < gd_loss);
    assert!(
        newton_acc > 0.93 && lbfgs_acc > 0.93,
        "{newton_acc} {lbfgs_acc}"
    );
}

/// Diabetes linear regression as least squares: residuals `f(x) − y` with
/// Jacobian rows from backpropagating the output ([`nn::loss::Output`]).
struct Residuals<'a> {
    row_trainer: &'a mut RegressionTrainer<Sgd, 1>,
    x: &'a [[f32; 10]],
    y: &'a [f32],
}

impl LeastSquares<11> for Residuals<'_> {
    fn residuals(&mut self, theta: &[f32; 11], row: &mut dyn FnMut(f64, &[f32; 11])) {
        self.row_trainer.model.params_from_slice(theta);
        let mut grad = [0.0f32; 11];
        for (x, &y) in self.x.iter().zip(self.y) {
            let out = self
                .row_trainer
                .gradient(&[*x], &[0], &nn::loss::Output, &mut grad);
            row((out - y) as f64, &grad);
        }
    }
}

/// One Gauss–Newton step solves a linear least-squares problem exactly: it
/// lands on the normal-equations solution. Levenberg–Marquardt gets there
/// in a few damped steps.
#[test]
fn gauss_newton_and_lm_solve_diabetes_regression() {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv"),
        Header::Counts,
    )
    .unwrap();
    let mut x: Vec<[f32; 10]> = table.rows_as().unwrap();
    Standardizer::fit(&x).apply(&mut x);
    let (mut gram, mut exact) = (vec![0.0f64; 121], vec![0.0f64; 11]);
    normal_equations(&x, &table.targets, &mut gram, &mut exact).unwrap();

    let mut row_trainer =
        RegressionTrainer::<Sgd, 1>::new_boxed(Init::XavierUniform, Sgd::new(0.0), 1);
    let mut problem = Residuals {
        row_trainer: &mut row_trainer,
        x: &x,
        y: &table.targets,
    };
    let close = |theta: &[f32; 11]| {
        theta
            .iter()
            .zip(&exact)
            .all(|(t, e)| (*t as f64 - e).abs() < 1e-3 * (1.0 + e.abs()))
    };

    let mut theta = [0.0f32; 11];
    let r = SecondOrder::<11>::gauss_newton()
        .least_squares_step(&mut theta, &mut problem)
        .unwrap();
    assert!(r.accepted && close(&theta), "{theta:?} vs {exact:?}");

    let mut damped_steps = |mut solver: SecondOrder<11>| {
        let (mut theta, mut steps) = ([0.0f32; 11], 0);
        while !close(&theta) && steps < 30 {
            let r = solver.least_squares_step(&mut theta, &mut problem).unwrap();
            assert!(r.accepted && r.loss_after < r.loss_before);
            steps += 1;
        }
        assert!(close(&theta), "after {steps} steps: {theta:?}");
        steps
    };
    let levenberg = damped_steps(SecondOrder::levenberg(1.0));
    let marquardt = damped_steps(SecondOrder::levenberg_marquardt(1.0));
    eprintln!(
        "diabetes: Gauss–Newton in 1 step, Levenberg in {levenberg}, Levenberg–Marquardt in {marquardt}"
    );
}

/// The (μ/μ, λ) evolution strategy trains the iris softmax regression from
/// loss values alone and reaches gradient descent's test accuracy (at 20
/// loss evaluations per generation against one gradient per step).
#[test]
fn an_evolution_strategy_trains_iris_without_gradients() {
    let (x, y, x_test, y_test) = classification_split::<4, 120>("iris.csv");
    let mut t = IrisSoftmaxTrainer::<Sgd, 120>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    let mut start = [0.0f32; IrisSoftmax::NUM_PARAMS];
    t.model.params_to_slice(&mut start);
    let mut es = EvolutionStrategy::<{ IrisSoftmax::NUM_PARAMS }, 5, 20>::new(start, 0.5, 9);
    let first = t.eval_loss(&x, &y, &CrossEntropy);
    for _ in 0..300 {
        es.generation(|theta| {
            t.model.params_from_slice(theta);
            t.eval_loss(&x, &y, &CrossEntropy) as f64
        });
    }
    t.model.params_from_slice(es.parent());
    let es_loss = t.eval_loss(&x, &y, &CrossEntropy);
    let accuracy = |m: &IrisSoftmax| {
        let predicted: Vec<usize> = x_test.iter().map(|x| m.predict(x)).collect();
        nn::metrics::accuracy(&predicted, &y_test)
    };
    let es_accuracy = accuracy(&t.model);
    // Gradient descent from the same start, one gradient per step.
    let mut gd = IrisSoftmaxTrainer::<Sgd, 120>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    for _ in 0..300 {
        gd.train_step(&x, &y, &CrossEntropy);
    }
    let gd_loss = gd.eval_loss(&x, &y, &CrossEntropy);
    eprintln!(
        "iris: ES 300 generations × 20 evaluations: loss {first:.4} -> {es_loss:.4}, {:.2}% test; GD 300 steps: {gd_loss:.4}, {:.2}% test",
        100.0 * es_accuracy,
        100.0 * accuracy(&gd.model)
    );
    assert!(
        es_loss < first / 4.0 && es_accuracy > 0.9,
        "{es_loss} {es_accuracy}"
    );
}
