<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: incidents by crime group. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="crime_group" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
<!--rows-->      <category symbol="{{i}}" value="{{value}}" label="{{label}}" render="true"/>
<!--/rows-->      <category symbol="other" value="" label="Crime type not in the mapping" render="true"/>
    </categories>
    <symbols>
<!--rows-->      <symbol type="marker" name="{{i}}" alpha="0.8" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <prop k="name" v="circle"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="255,255,255,200"/>
          <prop k="outline_width" v="0.1"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="size" v="1.6"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->      <symbol type="marker" name="other" alpha="0.6" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <prop k="name" v="circle"/>
          <prop k="color" v="150,150,150,255"/>
          <prop k="outline_style" v="no"/>
          <prop k="size" v="1.2"/>
          <prop k="size_unit" v="MM"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "crime_type" %]&lt;/b&gt; ([% coalesce("crime_group", 'other') %]), [% "month" %]&lt;br&gt;[% "location" %]&lt;br&gt;[% "period" %] period, area [% "area_id" %]</mapTip>
  <layerGeometryType>0</layerGeometryType>
</qgis>
