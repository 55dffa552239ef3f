<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: emerging hot and cold spots (the Gi* grid by
     category, as ArcGIS's Emerging Hot Spot Analysis): hot categories in
     reds and oranges, cold in blues, no pattern left clear. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="category" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
<!--rows-->      <category symbol="{{i}}" value="{{value}}" label="{{label}}" render="true"/>
<!--/rows-->    </categories>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="{{outline}}"/>
          <prop k="outline_color" v="120,120,120,255"/>
          <prop k="outline_width" v="0.1"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "category" %]&lt;/b&gt;&lt;br&gt;hot in [% "months_hot" %] months, cold in [% "months_cold" %]; last month's bin [% "last_bin" %]&lt;br&gt;trend (Mann-Kendall) z [% format_number("trend_z", 2) %], p [% format_number("trend_p", 3) %]&lt;br&gt;[% "area_id" %]</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
