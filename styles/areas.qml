<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: area boundaries with their names.  Filled by
     src/styles.c (marks: see src/template.h). -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="1" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0">
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="no"/>
          <prop k="color" v="255,255,255,0"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="50,50,50,255"/>
          <prop k="outline_width" v="0.5"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="joinstyle" v="round"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="area_name" isExpression="0" fontFamily="Sans Serif" fontSize="9" fontSizeUnit="Point" fontWeight="63" textColor="40,40,40,255" textOpacity="1" multilineHeight="1">
        <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferNoFill="1" bufferJoinStyle="128"/>
      </text-style>
      <text-format wrapChar="" multilineAlign="1" autoWrapLength="20" useMaxLineLengthForAutoWrap="1" formatNumbers="0" plussign="0" decimals="3"/>
      <placement placement="1" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" priority="3"/>
      <rendering obstacle="1" obstacleType="1" obstacleFactor="1" drawLabels="1" displayAll="0" scaleVisibility="0" upsidedownLabels="0" maxNumLabels="2000" limitNumLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" zIndex="0"/>
    </settings>
  </labeling>
  <mapTip>&lt;b&gt;[% "area_name" %]&lt;/b&gt; ([% "area_id" %])&lt;br&gt;[% format_number("population", 0) %] residents, [% format_number("area_km2", 2) %] km²</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
