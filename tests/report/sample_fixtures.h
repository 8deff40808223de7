#pragma once
// Hand-built SampleResult values for the report and store tests (the analysis module fills
// these in real runs). Figures are internally consistent: percent = 100 * count / parent.
#include "analysis/result.h"

namespace mrdflow::testing {

inline analysis::SampleResult mrd_sample() {
  analysis::SampleResult r;
  r.software_version = "0.1.0";
  r.started = "2024-05-01T10:00:00Z";
  r.seconds = 0.25;
  r.file = "P001_d29.fcs";
  r.path = "/data/P001_d29.fcs";
  r.sha256 = std::string(64, 'a');
  r.fcs_version = "3.1";
  r.events_total = 1000000;
  r.channels = {{"FSC-A", std::nullopt}, {"SSC-A", std::nullopt}, {"FL1-A", "CD45"},
                {"FL2-A", "CD19"}, {"FL3-A", "CD22"}};
  r.template_name = "bcp-all-mrd";
  r.template_sha256 = std::string(64, 'b');
  r.sample_id = "P001_d29";
  r.patient_id = "P001";
  r.specimen = "BM";
  r.timepoint_day = 29;
  r.qc = {"warn", 1200, {"time anomaly: 2 bins removed", "flow rate, unstable"}};
  r.populations = {{"all", std::nullopt, 1000000, 100},
                   {"qc_pass", "all", 998800, 99.88},
                   {"nucleated", "qc_pass", 800000, 80.096115338406088},
                   {"blasts", "nucleated", 400, 0.05}};
  analysis::MrdResult mrd;
  mrd.blast_events = 400;
  mrd.denominator_events = 800000;
  mrd.percent = 0.05;
  mrd.ci95 = {0.04531, 0.05517};
  mrd.lod_percent = 0.0025;
  mrd.loq_percent = 0.00625;
  mrd.status = "detected";
  r.mrd = mrd;
  analysis::AntigenResult cd19;
  cd19.events = 400;
  cd19.positive_events = 396;
  cd19.percent_positive = 99;
  cd19.ci95 = {97.46, 99.61};
  cd19.threshold = 1.234;
  cd19.median_intensity = 5321.5;
  cd19.mfi_ratio = 41.2;
  cd19.threshold_source = "t_nk_cells p99.5";
  analysis::AntigenResult cd22 = cd19;
  cd22.positive_events = 360;
  cd22.percent_positive = 90;
  cd22.ci95 = {86.7, 92.6};
  cd22.mfi_ratio = std::nullopt;
  cd22.dim = true;
  r.antigens = {{"CD19", cd19}, {"CD22", cd22}};
  analysis::Eligibility e;
  e.rules = {{"CD19", 95, 99.0, true}, {"CD22", 95, 90.0, false}};
  e.verdict = "not_eligible";
  e.reason = "CD22 is positive on 90 % of blasts, below the required 95 %.";
  r.eligibility = e;
  return r;
}

inline analysis::SampleResult car_t_sample() {
  analysis::SampleResult r = mrd_sample();
  r.file = "P002_d14.fcs";
  r.sample_id = "P002_d14";
  r.patient_id = "P002";
  r.timepoint_day = 14;
  r.template_name = "car-t-persistence";
  r.mrd.reset();
  r.antigens.clear();
  r.eligibility.reset();
  r.car_t = analysis::CarTResult{50000, 1500, 3.0, {2.85, 3.15}, 12.5};
  r.b_cells = analysis::BCellResult{"CD19", 3, 0.006, 0.02, true};
  return r;
}

inline analysis::SampleResult failed_sample() {
  analysis::SampleResult r;
  r.software_version = "0.1.0";
  r.started = "2024-05-01T10:00:01Z";
  r.file = "broken.fcs";
  r.sample_id = "broken";
  r.sha256 = std::string(64, 'c');
  r.error_kind = "fcs";
  r.error_message = "broken.fcs: at byte 58: DATA segment ends past the end of the file";
  return r;
}

}  // namespace mrdflow::testing
