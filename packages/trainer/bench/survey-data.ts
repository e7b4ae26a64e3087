import { closeSync, openSync, writeSync } from 'node:fs';
import { type Random, seededRandom } from '../src/random.ts';

/**
 * A seeded stand-in for the CDC BRFSS 2015 "diabetes health indicators" survey (253,680 rows, 21 features,
 * target Diabetes_012: 0 no diabetes, 1 prediabetes, 2 diabetes), which is not available offline. Same columns,
 * same kinds of values (0/1 flags, BMI, ordinal scales GenHlth 1–5, Age 1–13, Education 1–6, Income 1–8, days
 * 0–30), class shares near the survey's 84 / 2 / 14%, and a learnable but noisy relationship: risk factors that
 * drive one another (age → blood pressure → heart disease; income → health), saturating and interacting effects
 * trees can find and a linear model cannot quite, prediabetes sharing diabetes' risk factors more weakly.
 * Marginal shares follow the survey's published summaries roughly; it is not the survey.
 */
export const SURVEY_COLUMNS = [
  'Diabetes_012',
  'HighBP',
  'HighChol',
  'CholCheck',
  'BMI',
  'Smoker',
  'Stroke',
  'HeartDiseaseorAttack',
  'PhysActivity',
  'Fruits',
  'Veggies',
  'HvyAlcoholConsump',
  'AnyHealthcare',
  'NoDocbcCost',
  'GenHlth',
  'MentHlth',
  'PhysHlth',
  'DiffWalk',
  'Sex',
  'Age',
  'Education',
  'Income',
] as const;
export const SURVEY_TARGET = 'Diabetes_012';
export const SURVEY_ROWS = 253_680;

const AGE_SHARES = [0.022, 0.03, 0.044, 0.055, 0.064, 0.078, 0.103, 0.121, 0.13, 0.127, 0.093, 0.063, 0.068];
const EDUCATION_SHARES = [0.001, 0.016, 0.037, 0.247, 0.276, 0.423];
/** Intercepts of the two risk scores, set so the classes come out near 84.2 / 1.8 / 13.9%. */
const PREDIABETES_INTERCEPT = -6.22;
const DIABETES_INTERCEPT = -6.25;

export function surveyRow(random: Random): number[] {
  const flag = (logit: number) => (random() < sigmoid(logit) ? 1 : 0);
  const normal = () => gaussian(random);
  const age = pick(AGE_SHARES, random) + 1;
  const sex = flag(-0.24);
  const education = pick(EDUCATION_SHARES, random) + 1;
  const income = clamp(
    Math.round(5.6 + 0.9 * (education - 5) + 0.12 * (age - 7) * (age < 10 ? 1 : -1) + 1.7 * normal()),
    1,
    8,
  );
  const bmi = clamp(
    Math.round(
      27.5 + 0.35 * (age - 7) - 0.3 * (income - 5) + 5.2 * normal() + (random() < 0.08 ? 9 * random() : 0),
    ),
    12,
    98,
  );
  const smoker = flag(-0.25 - 0.25 * (education - 5) + 0.05 * (age - 7));
  const physActivity = flag(1.3 - 0.06 * (bmi - 28) - 0.07 * (age - 7) + 0.18 * (income - 5));
  const fruits = flag(0.5 + 0.15 * (education - 5) + 0.1 * sex * -1);
  const veggies = flag(1.45 + 0.2 * (education - 5) + 0.2 * physActivity);
  const heavyAlcohol = flag(-2.85 + 0.3 * smoker - 0.05 * (age - 7));
  const anyHealthcare = flag(3 + 0.35 * (income - 5) + 0.2 * (age - 7));
  const noDocBecauseOfCost = flag(-2.4 - 0.35 * (income - 5) - 0.1 * (age - 7));
  const highBp = flag(-3.1 + 0.32 * age + 0.085 * (bmi - 28) + 0.2 * sex);
  const highChol = flag(-2.3 + 0.24 * age + 0.035 * (bmi - 28) + 0.3 * highBp);
  const cholCheck = flag(2.6 + 0.2 * age + 0.6 * anyHealthcare + 0.5 * highChol);
  const stroke = flag(-5.6 + 0.24 * age + 0.7 * highBp + 0.3 * smoker);
  const heartDisease = flag(-5.3 + 0.3 * age + 0.6 * highBp + 0.5 * highChol + 0.45 * smoker + 0.6 * sex);
  const health =
    0.05 * (bmi - 28) +
    0.07 * (age - 7) -
    0.22 * (income - 5) -
    0.12 * (education - 5) +
    0.7 * heartDisease +
    0.6 * stroke -
    0.45 * physActivity +
    0.2 * smoker +
    normal();
  const genHlth = clamp(Math.round(2.55 + 0.85 * health), 1, 5);
  const days = (logit: number, centre: number) =>
    random() < sigmoid(logit) ? clamp(Math.round(Math.exp(centre + 0.9 * normal())), 1, 30) : 0;
  const physHlth = days(-1.1 + 0.9 * health, 1.7 + 0.45 * health);
  const mentHlth = days(-1.0 + 0.4 * health - 0.1 * (age - 7), 1.5 + 0.3 * health);
  const diffWalk = flag(-2.9 + 1.0 * health + 0.18 * (age - 7) + 0.035 * (bmi - 28));

  // Shared risk: saturating in BMI and age, stepped in general health, with an age × BMI interaction.
  const risk =
    0.62 * highBp +
    0.55 * highChol +
    0.9 * Math.tanh((bmi - 26) / 9) +
    0.004 * Math.max(bmi - 40, 0) * (age > 8 ? 1 : 2) +
    0.55 * Math.tanh((age - 4) / 4) +
    0.12 * age +
    [0, 0.2, 0.65, 1.05, 1.25][genHlth - 1]! +
    0.25 * diffWalk +
    0.22 * heartDisease +
    1.3 * cholCheck -
    0.07 * (income - 5) -
    0.22 * heavyAlcohol +
    0.1 * sex +
    0.12 * highBp * (bmi > 32 ? 1 : 0) +
    0.45 * normal();
  const prediabetes = PREDIABETES_INTERCEPT + 0.55 * risk + 0.6 * normal();
  const diabetes = DIABETES_INTERCEPT + risk;
  const total = 1 + Math.exp(prediabetes) + Math.exp(diabetes);
  const u = random() * total;
  const label = u < 1 ? 0 : u < 1 + Math.exp(prediabetes) ? 1 : 2;
  return [
    label,
    highBp,
    highChol,
    cholCheck,
    bmi,
    smoker,
    stroke,
    heartDisease,
    physActivity,
    fruits,
    veggies,
    heavyAlcohol,
    anyHealthcare,
    noDocBecauseOfCost,
    genHlth,
    mentHlth,
    physHlth,
    diffWalk,
    sex,
    age,
    education,
    income,
  ];
}

/** Writes `rows` survey-shaped rows to a CSV file; the same seed writes the same bytes. */
export function writeSurveyCsv(path: string, rows: number, seed: number): void {
  const random = seededRandom(seed);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${SURVEY_COLUMNS.join(',')}\n`);
    let chunk = '';
    for (let row = 0; row < rows; row++) {
      chunk += `${surveyRow(random)
        .map((value) => value.toFixed(1))
        .join(',')}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** An index drawn with the given shares (summing to about 1). */
function pick(shares: readonly number[], random: Random): number {
  let u = random() * shares.reduce((sum, share) => sum + share, 0);
  for (let index = 0; index < shares.length; index++) {
    u -= shares[index]!;
    if (u < 0) return index;
  }
  return shares.length - 1;
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
