<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: hotspot polygons by density class (the run's
     class breaks: {{method}}), labelled with id and place. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="1" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="class" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
<!--rows-->      <category symbol="{{i}}" value="{{value}}" label="{{label}}" render="true"/>
<!--/rows-->    </categories>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="90,0,20,255"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="&quot;hotspot_id&quot; || coalesce('\n' || &quot;label&quot;, '')" isExpression="1" fontFamily="Sans Serif" fontSize="8" fontSizeUnit="Point" fontWeight="50" textColor="20,20,20,255" textOpacity="1" multilineHeight="1">
        <text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.9" bufferNoFill="1" bufferJoinStyle="128"/>
      </text-style>
      <text-format wrapChar="" multilineAlign="1" autoWrapLength="0" formatNumbers="0" plussign="0" decimals="3"/>
      <placement placement="8" dist="1" distUnits="MM" priority="7" centroidInside="0" centroidWhole="0" fitInPolygonOnly="0"/>
      <rendering obstacle="1" obstacleType="1" obstacleFactor="1" drawLabels="1" displayAll="0" scaleVisibility="0" upsidedownLabels="0" maxNumLabels="2000" limitNumLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" zIndex="1"/>
    </settings>
  </labeling>
  <mapTip>&lt;b&gt;[% "hotspot_id" %]&lt;/b&gt; [% "label" %]&lt;br&gt;class [% "class" %]; [% "incidents" %] incidents ([% format_number("share_pct", 1) %]% of the group's) on [% format_number("area_km2", 2) %] km²; PAI [% format_number("pai", 1) %]&lt;br&gt;[% "area_name" %]</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
