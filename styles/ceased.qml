<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: hotspots of the previous run that ceased
     (--previous), dashed grey outlines labelled with their old id. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="1" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0">
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="no"/>
          <prop k="color" v="255,255,255,0"/>
          <prop k="outline_style" v="dash"/>
          <prop k="outline_color" v="97,97,97,255"/>
          <prop k="outline_width" v="0.5"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="joinstyle" v="miter"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="hotspot_id" isExpression="0" fontFamily="Sans Serif" fontSize="8" fontSizeUnit="Point" fontWeight="50" fontItalic="1" textColor="97,97,97,255" textOpacity="1" multilineHeight="1">
        <text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.9" bufferNoFill="1" bufferJoinStyle="128"/>
      </text-style>
      <text-format wrapChar="" multilineAlign="1" autoWrapLength="0" formatNumbers="0" plussign="0" decimals="3"/>
      <placement placement="8" dist="1" distUnits="MM" priority="5" centroidInside="0" centroidWhole="0" fitInPolygonOnly="0"/>
      <rendering obstacle="1" obstacleType="1" obstacleFactor="1" drawLabels="1" displayAll="0" scaleVisibility="0" upsidedownLabels="0" maxNumLabels="2000" limitNumLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" zIndex="1"/>
    </settings>
  </labeling>
  <mapTip>&lt;b&gt;[% "hotspot_id" %] ceased&lt;/b&gt;&lt;br&gt;seen from [% "first_seen" %] to [% "last_seen" %] ([% "months_seen" %] runs); [% "incidents" %] incidents in its last run</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
