/** What `GET /runs/:id/stats` and `GET /compare` answer. Plain types: the browser uses them too. */

export interface IntervalDto {
  low: number;
  high: number;
}

/** Inter-rater agreement on one criterion. */
export interface AgreementDto {
  /** Krippendorff's alpha treating values as ranks (numeric criteria only). */
  ordinal: number | null;
  /** Krippendorff's alpha treating values as distances (numeric criteria only). */
  interval: number | null;
  /** Krippendorff's alpha where only equal values agree (choice criteria). */
  nominal: number | null;
  /** Items rated by two or more raters: the only ones agreement rests on. */
  pairableUnits: number;
}

/** One rater against the others on the items they share. */
export interface RaterDeviationDto {
  rater: string;
  /** Ratings of this criterion by this rater. */
  ratings: number;
  /** Of those, items that someone else rated too. */
  sharedItems: number;
  /** Mean of (this rating - mean of the others' ratings of the same item); null with no shared item. */
  meanDeviation: number | null;
  /** Mean of the absolute value of the same. */
  meanAbsDeviation: number | null;
}

export interface CriterionStatsDto {
  criterion: string;
  label: string;
  type: 'scale' | 'yesno' | 'choice';
  /** Scale bounds (yes/no: 0 and 1), for drawing. */
  min?: number;
  max?: number;
  ratings: number;
  items: number;
  raters: number;
  /** Mean of per-item means (each item counts once); yes/no as the share of "yes". Null for choice. */
  mean: number | null;
  /** Median of all ratings. Null for choice. */
  median: number | null;
  /** 95% cluster-bootstrap interval of `mean`. */
  interval: IntervalDto | null;
  /** Every possible value with its count, in rubric order. */
  distribution: { value: string; count: number }[];
  agreement: AgreementDto;
  raterDeviation: RaterDeviationDto[];
}

export interface CoverageDto {
  itemId: string;
  videoUri: string;
  /** Raters who rated the item (each rater's latest submission counts once). */
  ratings: number;
}

export interface RunStatsDto {
  runId: string;
  itemCount: number;
  /** Submissions in the run, re-scores included. */
  submissions: number;
  /** Rater x item pairs: each rater's latest submission per item. */
  ratings: number;
  raters: number;
  /** Ratings per item the allocation aims at. */
  target: number;
  coverage: CoverageDto[];
  criteria: CriterionStatsDto[];
  method: MethodDto;
}

export interface MethodDto {
  bootstrapReplicates: number;
  seed: number;
  level: number;
}

export interface TestDto {
  name: 'wilcoxon' | 'mann-whitney';
  statistic: number;
  p: number;
  method: 'exact' | 'normal';
  n: number;
}

export interface CriterionComparisonDto {
  criterion: string;
  label: string;
  /** Videos with ratings of this criterion in A, in B, and in both. */
  videos: { a: number; b: number; both: number };
  /** Means over the videos compared (paired: those rated in both runs). */
  meanA: number | null;
  meanB: number | null;
  /** meanA - meanB with its 95% cluster-bootstrap interval. */
  difference: number | null;
  interval: IntervalDto | null;
  test: TestDto | null;
  /** Paired only: videos where A's mean is higher, equal, lower than B's. */
  wins: { a: number; tie: number; b: number } | null;
  /** Videos needed to detect the observed difference at alpha 0.05 with 80% power. */
  power: {
    /** Paired: videos rated in both runs. Unpaired: videos per run. Null: no difference to detect. */
    needed: number | null;
    /** Rated videos still to add (paired: pairs; unpaired: summed over both runs). */
    more: number | null;
  };
}

export interface RunComparisonDto {
  a: string;
  b: string;
  /** Paired when the runs cover the same videos (see README), unpaired otherwise. */
  design: 'paired' | 'unpaired';
  /** Videos both runs have items for. */
  sharedVideos: number;
  criteria: CriterionComparisonDto[];
  method: MethodDto;
}
