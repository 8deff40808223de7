// Gating-ML import: namespace handling, and one-line errors naming file, line, element, id.
#include <gtest/gtest.h>

#include "gatingml/gatingml.h"

namespace gml = mrdflow::gatingml;

namespace {

const std::string kHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\"\n"
    "  xmlns:transforms=\"http://www.isac-net.org/std/Gating-ML/v2.0/transformations\"\n"
    "  xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">\n";  // lines 1-4
const std::string kTail = "</gating:Gating-ML>\n";

std::string rect(const std::string& id, const std::string& extra = "",
                 const std::string& min = "1") {
  return "<gating:RectangleGate gating:id=\"" + id + "\"" + extra + ">\n"
         "  <gating:dimension gating:compensation-ref=\"uncompensated\" gating:min=\"" + min + "\">\n"
         "    <data-type:fcs-dimension data-type:name=\"FSC-H\"/>\n"
         "  </gating:dimension>\n"
         "</gating:RectangleGate>\n";  // 5 lines
}

std::string error_of(const std::string& xml) {
  try {
    gml::parse_gatingml(xml, "test.xml");
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "gatingml");
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    return msg;
  }
  ADD_FAILURE() << "no error for:\n" << xml;
  return "";
}

void expect_contains(const std::string& msg, const std::string& part) {
  EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
}

}  // namespace

TEST(GatingMlImport, AnyPrefixBoundToTheNamespacesWorks) {
  const std::string xml =
      "<g:Gating-ML xmlns:g=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\"\n"
      " xmlns:dt=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">\n"
      " <wrapper><g:RectangleGate g:id=\"R\" g:name=\"extra attribute\">\n"
      "  <g:dimension g:compensation-ref=\"FCS\" g:max=\"5\"><dt:fcs-dimension dt:name=\"X\"/></g:dimension>\n"
      " </g:RectangleGate></wrapper>\n"
      "</g:Gating-ML>";
  const auto s = gml::parse_gatingml(xml, "prefixes.xml");
  ASSERT_EQ(s.gates().size(), 1u);
  const auto& r = std::get<mrdflow::gates::RectangleGate>(s.gates()[0].shape);
  EXPECT_EQ(r.dimensions[0].name, "X");
  EXPECT_EQ(r.dimensions[0].compensation_ref, "FCS");
  EXPECT_FALSE(r.ranges[0].min.has_value());
  EXPECT_EQ(r.ranges[0].max, 5.0);
}

TEST(GatingMlImport, InvalidXmlGivesLine) {
  const auto msg = error_of(kHead + rect("A") + "<gating:RectangleGate>\n" + kTail);
  expect_contains(msg, "test.xml: line ");
  expect_contains(msg, "invalid XML");
}

TEST(GatingMlImport, WrongRootRejected) {
  expect_contains(error_of("<root/>"), "not a Gating-ML 2.0");
}

TEST(GatingMlImport, UnknownGateTypeNamesElementAndLine) {
  const auto msg = error_of(kHead + rect("A") + "<gating:CircleGate gating:id=\"C\"/>\n" + kTail);
  expect_contains(msg, "test.xml: line 10: <gating:CircleGate id=\"C\">: unknown gate type 'CircleGate'");
}

TEST(GatingMlImport, UndefinedParentNamesGateAndLine) {
  const auto msg = error_of(kHead + rect("A") + rect("B", " gating:parent_id=\"Z\"") + kTail);
  expect_contains(msg, "test.xml: line 10: <gating:RectangleGate id=\"B\">");
  expect_contains(msg, "undefined parent gate 'Z'");
}

TEST(GatingMlImport, CyclicParentsRejected) {
  const auto msg = error_of(kHead + rect("A", " gating:parent_id=\"B\"") +
                            rect("B", " gating:parent_id=\"A\"") + kTail);
  expect_contains(msg, "cyclic gate dependency");
  expect_contains(msg, "line ");
}

TEST(GatingMlImport, BadNumberNamesAttribute) {
  const auto msg = error_of(kHead + rect("A", "", "1.5x") + kTail);
  expect_contains(msg, "line 6: <gating:dimension in id=\"A\">: attribute 'min': '1.5x' is not a finite number");
  expect_contains(error_of(kHead + rect("A", "", "NaN") + kTail), "not a finite number");
}

TEST(GatingMlImport, BooleanOperandCountsAndReferences) {
  const std::string not2 =
      "<gating:BooleanGate gating:id=\"N\"><gating:not>\n"
      "<gating:gateReference gating:ref=\"A\"/><gating:gateReference gating:ref=\"A\"/>\n"
      "</gating:not></gating:BooleanGate>\n";
  expect_contains(error_of(kHead + rect("A") + not2 + kTail), "'not' needs exactly 1 operand");
  const std::string and1 =
      "<gating:BooleanGate gating:id=\"N\"><gating:and>\n"
      "<gating:gateReference gating:ref=\"A\"/>\n"
      "</gating:and></gating:BooleanGate>\n";
  expect_contains(error_of(kHead + rect("A") + and1 + kTail), "'and' needs at least 2 operands");
  const std::string undefined =
      "<gating:BooleanGate gating:id=\"N\"><gating:or>\n"
      "<gating:gateReference gating:ref=\"A\"/><gating:gateReference gating:ref=\"Q\"/>\n"
      "</gating:or></gating:BooleanGate>\n";
  const auto msg = error_of(kHead + rect("A") + undefined + kTail);
  expect_contains(msg, "line 10: <gating:BooleanGate id=\"N\">");
  expect_contains(msg, "undefined gate 'Q'");
}

TEST(GatingMlImport, UndefinedTransformAndMatrixReferences) {
  const std::string g1 =
      "<gating:RectangleGate gating:id=\"S\">\n"
      "<gating:dimension gating:compensation-ref=\"uncompensated\" gating:transformation-ref=\"Nope\" gating:min=\"0\">\n"
      "<data-type:fcs-dimension data-type:name=\"FL1-H\"/></gating:dimension></gating:RectangleGate>\n";
  expect_contains(error_of(kHead + g1 + kTail), "undefined transformation 'Nope'");
  const std::string g2 =
      "<gating:RectangleGate gating:id=\"S\">\n"
      "<gating:dimension gating:compensation-ref=\"Spill9\" gating:min=\"0\">\n"
      "<data-type:fcs-dimension data-type:name=\"FL1-H\"/></gating:dimension></gating:RectangleGate>\n";
  expect_contains(error_of(kHead + g2 + kTail), "undefined spectrum matrix 'Spill9'");
}

TEST(GatingMlImport, MalformedShapes) {
  const std::string poly =
      "<gating:PolygonGate gating:id=\"P\">\n"
      "<gating:dimension gating:compensation-ref=\"FCS\"><data-type:fcs-dimension data-type:name=\"A\"/></gating:dimension>\n"
      "<gating:dimension gating:compensation-ref=\"FCS\"><data-type:fcs-dimension data-type:name=\"B\"/></gating:dimension>\n"
      "<gating:vertex><gating:coordinate data-type:value=\"1\"/></gating:vertex>\n"
      "</gating:PolygonGate>\n";
  expect_contains(error_of(kHead + poly + kTail), "line 8: <gating:vertex in id=\"P\">: vertex needs exactly 2 coordinates");
  const std::string transform =
      "<transforms:transformation transforms:id=\"T\"><transforms:fcubic transforms:T=\"1\"/></transforms:transformation>\n";
  expect_contains(error_of(kHead + transform + kTail), "unknown transformation type 'fcubic'");
  const std::string ellipse =
      "<gating:EllipsoidGate gating:id=\"E\">\n"
      "<gating:dimension gating:compensation-ref=\"FCS\"><data-type:fcs-dimension data-type:name=\"A\"/></gating:dimension>\n"
      "<gating:dimension gating:compensation-ref=\"FCS\"><data-type:fcs-dimension data-type:name=\"B\"/></gating:dimension>\n"
      "<gating:mean><gating:coordinate data-type:value=\"1\"/><gating:coordinate data-type:value=\"1\"/></gating:mean>\n"
      "<gating:covarianceMatrix><gating:row><gating:entry data-type:value=\"1\"/><gating:entry data-type:value=\"1\"/></gating:row>\n"
      "<gating:row><gating:entry data-type:value=\"1\"/><gating:entry data-type:value=\"1\"/></gating:row></gating:covarianceMatrix>\n"
      "<gating:distanceSquare data-type:value=\"1\"/></gating:EllipsoidGate>\n";
  expect_contains(error_of(kHead + ellipse + kTail), "not positive definite");
}

TEST(GatingMlImport, MissingFileIsAnError) {
  EXPECT_THROW(gml::read_gatingml("/nonexistent/gates.xml"), mrdflow::Error);
}
